package journal

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"shkola/internal/audit"
	"shkola/internal/errs"
	"shkola/internal/identity"
	"shkola/internal/schedule"
	"shkola/internal/store"
)

// errReplay says that a twin of the request (same idempotency key)
// committed first: the caller answers with what was stored for it.
var errReplay = errors.New("journal: idempotency key committed by a concurrent request")

// errNoWrite rolls back a transaction that found, among what it read, a
// refused cell that keeps the whole batch from being written.
var errNoWrite = errors.New("journal: the batch is refused")

// writeLesson validates a batch against the lesson and writes the valid
// cells in one transaction: existing cells and the pupils' membership read
// in one statement (which also locks the lesson), one upsert and one
// delete per table, one multi-row history insert, the stored answer, the
// change log in two statements and one audit entry for the whole batch.
func (s *Service) writeLesson(ctx context.Context, li lessonInfo, b Batch, mode writeMode, idem *idemKey) (BatchResult, error) {
	if err := checkBatch(&b); err != nil {
		return BatchResult{}, err
	}
	if mode == modeAmend && b.Reason == "" {
		return BatchResult{}, errs.Field(errs.Invalid, "reason", "required",
			"a change by an administrator (the period is closed or the lesson is not yours) needs a reason")
	}
	sc, c, err := s.scaleAndCodes(ctx, li)
	if err != nil {
		return BatchResult{}, err
	}
	plans := plan(b, li, sc, c)
	var lessonErr *CellErr
	switch {
	case li.Status == schedule.Cancelled:
		lessonErr = &CellErr{"lesson_id", "cancelled", "the lesson was cancelled: it takes no marks or attendance"}
	case li.Date > s.Today():
		lessonErr = &CellErr{"lesson_id", "future", "the lesson of " + li.Date + " has not taken place yet"}
	case li.locked() && mode != modeAmend:
		lessonErr = &CellErr{"lesson_id", "closed", "the period " + li.PeriodName + " is closed: its marks and attendance are locked"}
	}
	persons := make([]int64, 0, len(plans))
	for _, p := range plans {
		if lessonErr != nil {
			p.errs = append([]CellErr{*lessonErr}, p.errs...)
		}
		if p.person > 0 {
			persons = append(persons, p.person)
		}
	}
	if refused(plans, b.Mode) {
		// Nothing will be written: membership is read for the answer only.
		in, err := members(ctx, s.DB.Read(), li, persons)
		if err != nil {
			return BatchResult{}, err
		}
		checkMembers(plans, in, li)
		return refusal(li, b, plans), nil
	}
	var res BatchResult
	err = s.DB.WithTx(ctx, func(tx *store.Tx) error {
		st, err := readForWrite(ctx, tx, li, persons)
		if err != nil {
			return err
		}
		checkMembers(plans, st.members, li)
		if refused(plans, b.Mode) {
			res = refusal(li, b, plans)
			return errNoWrite
		}
		valid := make([]*cellPlan, 0, len(plans))
		for _, p := range plans {
			if len(p.errs) == 0 {
				valid = append(valid, p)
			}
		}
		changes, fields, err := s.writeCells(ctx, tx, li, b, mode, valid, st)
		if err != nil {
			return err
		}
		res = BatchResult{LessonID: li.ID, Mode: b.Mode, Cells: make([]CellResult, len(plans))}
		for i, p := range plans {
			if len(p.errs) > 0 {
				res.Cells[i] = CellResult{PersonID: p.person, Status: CellError, Errors: p.errs}
				res.Failed++
				continue
			}
			res.Cells[i] = p.result
			res.Saved++
		}
		if idem != nil {
			// Before the change log and the audit entry, whose rows every
			// writer waits for: what follows them until COMMIT holds all.
			if err := idem.store(ctx, tx, res.Status(), res, s.now()); err != nil {
				return err
			}
		}
		return s.logChanges(ctx, tx, li, b, mode, valid, changes, fields)
	})
	if errors.Is(err, errNoWrite) {
		return res, nil
	}
	if err != nil && idem != nil && store.IsUniqueViolation(err) {
		return BatchResult{}, errReplay
	}
	return res, err
}

// scaleAndCodes returns the lesson's scale and the codes its cells may
// use, from the cached directories at the version the lesson was read with.
func (s *Service) scaleAndCodes(ctx context.Context, li lessonInfo) (Scale, codes, error) {
	snap, err := s.directories(ctx, li.dirVersion)
	if err != nil {
		return Scale{}, codes{}, err
	}
	if snap == nil {
		sc, err := s.describe(ctx, li.ScaleCode)
		if err != nil {
			return sc, codes{}, err
		}
		c, err := loadCodes(ctx, s.DB.Read())
		return sc, c, err
	}
	sc, err := describeIn(snap, li.ScaleCode)
	return sc, codesIn(snap), err
}

// refused reports whether a batch is refused whole: a refused cell in an
// all-or-nothing batch, or every cell refused.
func refused(plans []*cellPlan, mode string) bool {
	failed := 0
	for _, p := range plans {
		if len(p.errs) > 0 {
			failed++
		}
	}
	return failed > 0 && (mode == AllOrNothing || failed == len(plans))
}

// refusal is the answer to a batch refused whole: every cell's errors,
// the valid ones skipped.
func refusal(li lessonInfo, b Batch, plans []*cellPlan) BatchResult {
	res := BatchResult{LessonID: li.ID, Mode: b.Mode, Cells: make([]CellResult, len(plans))}
	for i, p := range plans {
		res.Cells[i] = CellResult{PersonID: p.person, Status: CellSkipped}
		if len(p.errs) > 0 {
			res.Cells[i] = CellResult{PersonID: p.person, Status: CellError, Errors: p.errs}
			res.Failed++
		}
	}
	return res
}

// checkMembers refuses the cells of pupils who were not members of the
// lesson's group (or one of its sub-groups) on its day.
func checkMembers(plans []*cellPlan, in map[int64]bool, li lessonInfo) {
	for _, p := range plans {
		if p.person > 0 && !in[p.person] {
			p.fail("person_id", "member", "the pupil is not in this class or group on "+li.Date)
		}
	}
}

// writeCells compares the valid cells with what is stored, writes those
// that change with their history, and returns their change-log rows and
// the audit entry's field changes.
func (s *Service) writeCells(ctx context.Context, tx *store.Tx, li lessonInfo, b Batch, mode writeMode, valid []*cellPlan, st stored) ([]store.Change, []audit.FieldChange, error) {
	a := identity.From(ctx)
	author := authorOf(a)
	var account *int64
	if a.AccountID > 0 {
		account = &a.AccountID
	}
	now := s.now()
	var markUp, attUp []*cellPlan
	var markDel, attDel []int64
	for _, p := range valid {
		p.result = CellResult{PersonID: p.person, Status: CellUnchanged}
		p.markOld, p.attOld = st.marks[p.person], st.att[p.person]
		if p.hasMark {
			switch {
			case p.mark == nil && p.markOld != nil:
				p.markOp = store.OpDelete
				markDel = append(markDel, p.person)
			case p.mark != nil && p.markOld == nil:
				p.markOp = store.OpCreate
			case p.mark != nil && (p.mark.Value != p.markOld.Value || p.mark.Kind != p.markOld.Kind || p.mark.Comment != p.markOld.Comment):
				p.markOp = store.OpUpdate
			}
			if p.markOp == store.OpCreate || p.markOp == store.OpUpdate {
				p.mark.Author, p.mark.UpdatedAt = author, now
				markUp = append(markUp, p)
			}
		}
		if p.hasAtt {
			switch {
			case p.att == nil && p.attOld != nil:
				p.attOp = store.OpDelete
				attDel = append(attDel, p.person)
			case p.att != nil && p.attOld == nil:
				p.attOp = store.OpCreate
			case p.att != nil && p.att.text() != p.attOld.text():
				p.attOp = store.OpUpdate
			}
			if p.attOp == store.OpCreate || p.attOp == store.OpUpdate {
				p.att.LessonID, p.att.Author, p.att.UpdatedAt = li.ID, author, now
				attUp = append(attUp, p)
			}
		}
		// The cell's state after the write, for the answer.
		p.result.Mark, p.result.Attendance = p.markOld, p.attOld
		if p.hasMark {
			p.result.Mark = p.mark
		}
		if p.hasAtt {
			p.result.Attendance = p.att
		}
		if p.markOp != "" || p.attOp != "" {
			p.result.Status = CellSaved
		}
	}
	if err := upsertMarks(ctx, tx, li, markUp, account, now); err != nil {
		return nil, nil, err
	}
	if err := upsertAttendance(ctx, tx, li, attUp, account, now); err != nil {
		return nil, nil, err
	}
	if err := deleteCells(ctx, tx, "marks", li.ID, markDel); err != nil {
		return nil, nil, err
	}
	if err := deleteCells(ctx, tx, "attendance", li.ID, attDel); err != nil {
		return nil, nil, err
	}
	reason := ""
	if mode == modeAmend {
		reason = b.Reason
	}
	changes, hist, fields := s.describeChanges(ctx, li, valid, now)
	return changes, fields, insertHistory(ctx, tx, li.ID, hist, author, account, reason, now)
}

// logChanges records the cells that changed in the change log and the
// audit log: last in the transaction, because both take rows every writer
// waits for until COMMIT.
func (s *Service) logChanges(ctx context.Context, tx *store.Tx, li lessonInfo, b Batch, mode writeMode, valid []*cellPlan,
	changes []store.Change, fields []audit.FieldChange) error {
	if len(changes) == 0 {
		return nil
	}
	if err := tx.RecordBatch(ctx, changes); err != nil {
		return err
	}
	if s.Audit == nil {
		return errs.Wrap(errs.Internal, errors.New("journal change without an audit log"), "internal error")
	}
	org := li.OrgID
	e := audit.Entry{Action: audit.RecordUpdate, Outcome: audit.Success, ObjectType: LessonEntity,
		ObjectID: strconv.FormatInt(li.ID, 10), OrgID: &org, Changes: fields, Detail: "journal cells"}
	if mode == modeAmend {
		e.Detail = truncate("amended: "+b.Reason, 900)
	}
	if len(valid) == 1 {
		e.PersonID = valid[0].person
	}
	return s.Audit.Append(ctx, tx, e)
}

// cellChange is the data of a mark's or an attendance's change-log row
// (the notifications' contract: ids and codes). The fields are in the
// order a map's keys were written, so the rows read as before; a struct
// is marshalled without sorting keys, inside the write transaction.
type cellChange struct {
	GroupID  int64  `json:"group_id"`
	LessonID int64  `json:"lesson_id"`
	PersonID int64  `json:"person_id"`
	Status   string `json:"status,omitempty"`
	Subject  string `json:"subject"`
}

type histRow struct {
	person   int64
	what     string
	old, new string
}

// describeChanges lists the change-log rows (ids and codes only), the
// history rows and the audit's field changes of the cells that changed.
func (s *Service) describeChanges(ctx context.Context, li lessonInfo, valid []*cellPlan, now time.Time) ([]store.Change, []histRow, []audit.FieldChange) {
	var changes []store.Change
	var hist []histRow
	var fields []audit.FieldChange
	org := li.OrgID
	actor := authorOf(identity.From(ctx))
	for _, p := range valid {
		pid := strconv.FormatInt(p.person, 10)
		if p.markOp != "" {
			id := int64(0)
			if p.mark != nil {
				id = p.mark.ID
			} else {
				id = p.markOld.ID
			}
			data, _ := json.Marshal(cellChange{GroupID: li.GroupID, LessonID: li.ID, PersonID: p.person, Subject: li.Subject})
			changes = append(changes, store.Change{At: now, Entity: MarkEntity, EntityID: strconv.FormatInt(id, 10), Op: p.markOp,
				OrgID: &org, Actor: actor, Data: data})
			old, nw := p.markOld.text(), p.mark.text()
			hist = append(hist, histRow{p.person, "mark", old, nw})
			fields = append(fields, audit.FieldChange{Field: "person " + pid + " mark", Old: old, New: nw})
		}
		if p.attOp != "" {
			id := int64(0)
			status := Present
			if p.att != nil {
				id, status = p.att.ID, p.att.Status
			} else {
				id = p.attOld.ID
			}
			data, _ := json.Marshal(cellChange{GroupID: li.GroupID, LessonID: li.ID, PersonID: p.person, Status: status, Subject: li.Subject})
			changes = append(changes, store.Change{At: now, Entity: AttendanceEntity, EntityID: strconv.FormatInt(id, 10), Op: p.attOp,
				OrgID: &org, Actor: actor, Data: data})
			old, nw := p.attOld.text(), p.att.text()
			hist = append(hist, histRow{p.person, "attendance", old, nw})
			fields = append(fields, audit.FieldChange{Field: "person " + pid + " attendance", Old: old, New: nw})
		}
	}
	return changes, hist, fields
}

func authorOf(a *identity.Actor) string {
	switch {
	case a.Login != "":
		return a.Login
	case a.ClientID != "":
		return "client:" + a.ClientID
	}
	return "system"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// values appends one parenthesised row of placeholders per row to b, in
// the order of args: bare "?" on SQLite, which numbers "$n" by searching
// the ones already seen (hundreds here, parsed while the writer is held).
func values(e store.Engine, b *strings.Builder, args *store.Args, rows [][]any) {
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, v := range r {
			if j > 0 {
				b.WriteString(", ")
			}
			args.Values = append(args.Values, v)
			b.WriteString(e.Param(len(args.Values)))
		}
		b.WriteByte(')')
	}
}

func upsertMarks(ctx context.Context, tx *store.Tx, li lessonInfo, ps []*cellPlan, account *int64, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	rows := make([][]any, len(ps))
	for i, p := range ps {
		m := p.mark
		rows[i] = []any{li.OrgID, li.ID, p.person, m.Scale, m.Value, m.Score, m.Kind, m.Weight, m.Comment, m.Author, account, now, now}
	}
	var b strings.Builder
	var args store.Args
	b.WriteString(`INSERT INTO marks (org_id, lesson_id, person_id, scale, value, score, work_kind, weight, comment, author, account_id,
		created_at, updated_at) VALUES `)
	values(tx.Engine, &b, &args, rows)
	b.WriteString(` ON CONFLICT (lesson_id, person_id) DO UPDATE SET scale = excluded.scale, value = excluded.value,
		score = excluded.score, work_kind = excluded.work_kind, weight = excluded.weight, comment = excluded.comment,
		author = excluded.author, account_id = excluded.account_id, version = marks.version + 1, updated_at = excluded.updated_at
		RETURNING id, person_id, version`)
	byPerson := make(map[int64]*Mark, len(ps))
	for _, p := range ps {
		byPerson[p.person] = p.mark
	}
	return scanReturned(ctx, tx, b.String(), args.Values, func(id, person, version int64) {
		if m := byPerson[person]; m != nil {
			m.ID, m.Version = id, version
		}
	})
}

func upsertAttendance(ctx context.Context, tx *store.Tx, li lessonInfo, ps []*cellPlan, account *int64, now time.Time) error {
	if len(ps) == 0 {
		return nil
	}
	rows := make([][]any, len(ps))
	for i, p := range ps {
		a := p.att
		rows[i] = []any{li.OrgID, li.ID, p.person, a.Status, a.Reason, a.Minutes, a.Author, account, now, now}
	}
	var b strings.Builder
	var args store.Args
	b.WriteString(`INSERT INTO attendance (org_id, lesson_id, person_id, status, reason, late_minutes, author, account_id,
		created_at, updated_at) VALUES `)
	values(tx.Engine, &b, &args, rows)
	b.WriteString(` ON CONFLICT (lesson_id, person_id) DO UPDATE SET status = excluded.status, reason = excluded.reason,
		late_minutes = excluded.late_minutes, author = excluded.author, account_id = excluded.account_id,
		version = attendance.version + 1, updated_at = excluded.updated_at
		RETURNING id, person_id, version`)
	byPerson := make(map[int64]*Attendance, len(ps))
	for _, p := range ps {
		byPerson[p.person] = p.att
	}
	return scanReturned(ctx, tx, b.String(), args.Values, func(id, person, version int64) {
		if a := byPerson[person]; a != nil {
			a.ID, a.Version = id, version
		}
	})
}

func scanReturned(ctx context.Context, tx *store.Tx, query string, args []any, f func(id, person, version int64)) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, person, version int64
		if err := rows.Scan(&id, &person, &version); err != nil {
			return err
		}
		f(id, person, version)
	}
	return rows.Err()
}

// deleteCells removes the rows of persons from table ("marks" or
// "attendance", never input) for one lesson.
func deleteCells(ctx context.Context, tx *store.Tx, table string, lesson int64, persons []int64) error {
	if len(persons) == 0 {
		return nil
	}
	var args store.Args
	l := args.Add(lesson)
	ph := make([]string, len(persons))
	for i, p := range persons {
		ph[i] = args.Add(p)
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE lesson_id = "+l+" AND person_id IN ("+strings.Join(ph, ", ")+")", args.Values...)
	return err
}

func insertHistory(ctx context.Context, tx *store.Tx, lesson int64, hist []histRow, author string, account *int64, reason string, now time.Time) error {
	if len(hist) == 0 {
		return nil
	}
	rows := make([][]any, len(hist))
	for i, h := range hist {
		rows[i] = []any{lesson, h.person, h.what, h.old, h.new, author, account, reason, now}
	}
	var b strings.Builder
	var args store.Args
	b.WriteString("INSERT INTO journal_history (lesson_id, person_id, what, old_value, new_value, author, account_id, reason, at) VALUES ")
	values(tx.Engine, &b, &args, rows)
	_, err := tx.ExecContext(ctx, b.String(), args.Values...)
	return err
}

// stored is what a write finds: the stored cells of the batch's pupils
// and which of them were members of the lesson's group on its day.
type stored struct {
	marks   map[int64]*Mark
	att     map[int64]*Attendance
	members map[int64]bool
}

// readForWrite reads, in one statement, the stored cells of persons at the
// lesson and which of them were members of its group (or one of its
// sub-groups) on its day. On PostgreSQL the statement also locks the
// lesson: one writer per lesson at a time, so the old values in the
// history are the ones replaced (SQLite has one writer anyway).
func readForWrite(ctx context.Context, tx *store.Tx, li lessonInfo, persons []int64) (stored, error) {
	st := stored{marks: map[int64]*Mark{}, att: map[int64]*Attendance{}, members: map[int64]bool{}}
	var args store.Args
	l := args.Add(li.ID)
	if len(persons) == 0 {
		var id int64
		return st, tx.QueryRowContext(ctx, "SELECT id FROM lessons WHERE id = "+l+tx.Engine.ForUpdate(), args.Values...).Scan(&id)
	}
	g, d := args.Add(li.GroupID), args.Add(li.Date)
	ph := make([]string, len(persons))
	for i, p := range persons {
		ph[i] = args.Add(p)
	}
	in := "(" + strings.Join(ph, ", ") + ")"
	rows, err := tx.QueryContext(ctx, tx.Engine.Locking("lessons", "lessons.id = "+l, `
		SELECT 'm' AS k, id, person_id, value AS v, score, work_kind AS code, weight AS n, comment, author, version, updated_at
		FROM marks WHERE lesson_id = `+l+` AND person_id IN `+in+`
		UNION ALL SELECT 'a', id, person_id, status, NULL, reason, COALESCE(late_minutes, 0), '', author, version, updated_at
		FROM attendance WHERE lesson_id = `+l+` AND person_id IN `+in+`
		UNION ALL SELECT 'g', 0, person_id, '', NULL, '', 0, '', '', 0, NULL
		FROM group_members WHERE person_id IN `+in+` AND starts_on <= `+d+` AND (ends_on IS NULL OR ends_on > `+d+`)
		AND (group_id = `+g+` OR group_id IN (SELECT id FROM groups WHERE parent_id = `+g+`))`), args.Values...)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, value, code, comment, author sql.NullString
		var id, person, version, num sql.NullInt64 // all NULL in PostgreSQL's row of the bare lock
		var score *float64
		var at sql.NullTime
		if err := rows.Scan(&kind, &id, &person, &value, &score, &code, &num, &comment, &author, &version, &at); err != nil {
			return st, err
		}
		p, n := person.Int64, int(num.Int64)
		switch kind.String {
		case "m":
			st.marks[p] = &Mark{ID: id.Int64, LessonID: li.ID, PersonID: p, Value: value.String, Score: score, Kind: code.String, Weight: n,
				Comment: comment.String, Author: author.String, Version: version.Int64, UpdatedAt: at.Time.UTC()}
		case "a":
			a := &Attendance{ID: id.Int64, LessonID: li.ID, PersonID: p, Status: value.String, Reason: code.String, Author: author.String,
				Version: version.Int64, UpdatedAt: at.Time.UTC()}
			if value.String == Late {
				m := n
				a.Minutes = &m
			}
			st.att[p] = a
		case "g":
			st.members[p] = true
		}
	}
	return st, rows.Err()
}
