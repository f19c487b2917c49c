package classes

import (
	"context"
	"fmt"
	"strings"

	"shkola/internal/audit"
	"shkola/internal/calendar"
	"shkola/internal/errs"
	"shkola/internal/store"
)

// Patch lists what an update may change; absent fields stay as they are.
// class_teacher_id and capacity may be sent as null to clear them. Kind,
// year, organisation and parent are fixed; graduated is set only by the
// rollover.
type Patch struct {
	Parallel       *int            `json:"parallel"`
	Letter         *string         `json:"letter"`
	Name           *string         `json:"name"`
	Level          *string         `json:"level"`
	ClassTeacherID Optional[int64] `json:"class_teacher_id"`
	Capacity       Optional[int]   `json:"capacity"`
	Status         *string         `json:"status"`
}

func stale() error {
	return errs.E(errs.Precondition, "the class was changed by someone else; read it again and reapply your change")
}

// Update applies p to group id if its version is still expected.
func (s *Service) Update(ctx context.Context, id, expected int64, p Patch, af AuditFunc) (Group, error) {
	var out Group
	err := s.DB.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := scanGroup(tx.QueryRowContext(ctx, "SELECT "+groupColumns+" FROM groups WHERE id = $1"+tx.Engine.ForUpdate(), id))
		if store.IsNoRows(err) {
			return errs.E(errs.NotFound, "class or group %d not found", id)
		}
		if err != nil {
			return err
		}
		if cur.Version != expected {
			return stale()
		}
		y, err := calendar.LoadYear(ctx, tx, cur.YearID, "")
		if err != nil {
			return err
		}
		if y.Status == calendar.Closed {
			return errs.Field(errs.Conflict, "year_id", "closed", "the year "+y.Name+" is closed; its classes are kept as history")
		}
		country, err := orgCountry(ctx, tx, cur.OrgID)
		if err != nil {
			return err
		}
		next, err := s.apply(ctx, tx, cur, p, country)
		if err != nil {
			return err
		}
		changes := diff(cur.fields(), next.fields())
		if len(changes) == 0 {
			out = cur
			return nil
		}
		if err := uniqueName(ctx, tx, next, y.Name); err != nil {
			return err
		}
		now := s.now()
		next.Version = cur.Version + 1
		res, err := tx.ExecContext(ctx, `UPDATE groups SET parallel = $1, letter = $2, name = $3, level = $4, class_teacher_id = $5, capacity = $6,
			status = $7, version = $8, updated_at = $9 WHERE id = $10 AND version = $11`,
			nullable(next.Parallel), next.Letter, next.Name, next.Level, nullable(next.ClassTeacherID), nullable(next.Capacity), next.Status,
			next.Version, now, id, cur.Version)
		if store.IsUniqueViolation(err) {
			return errs.Field(errs.Conflict, "name", "unique", next.Name+" already exists in "+y.Name)
		}
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return stale()
		}
		// A class's sub-groups follow its parallel and letter.
		if next.Kind == Class && (cur.fields()["parallel"] != next.fields()["parallel"] || cur.Letter != next.Letter) {
			if _, err := tx.ExecContext(ctx, "UPDATE groups SET parallel = $1, letter = $2 WHERE parent_id = $3", nullable(next.Parallel), next.Letter, id); err != nil {
				return err
			}
		}
		if err := record(ctx, tx, now, GroupEntity, id, cur.OrgID, store.OpUpdate, map[string]any{"version": next.Version, "status": next.Status}); err != nil {
			return err
		}
		out = next
		return write(ctx, tx, af, entry(audit.RecordUpdate, GroupEntity, id, cur.OrgID, changes))
	})
	return out, err
}

// apply validates p against the stored group.
func (s *Service) apply(ctx context.Context, tx *store.Tx, cur Group, p Patch, country string) (Group, error) {
	next := cur
	var v errs.Validation
	derivedName := cur.Parallel != nil && cur.Name == ClassName(*cur.Parallel, cur.Letter)
	derivedLevel := cur.Parallel != nil && cur.Level == LevelFor(country, *cur.Parallel)
	if cur.Kind == Subgroup && (p.Parallel != nil || p.Letter != nil) {
		v.Add("parallel", "kind", "a subgroup has its class's parallel and letter")
	}
	if p.Parallel != nil && cur.Kind != Subgroup {
		if *p.Parallel < 0 || *p.Parallel > MaxParallel {
			v.Add("parallel", "range", fmt.Sprintf("the parallel must be from 0 to %d", MaxParallel))
		} else {
			next.Parallel = intPtr(*p.Parallel)
		}
	}
	if p.Letter != nil && cur.Kind != Subgroup {
		next.Letter = normLetter(*p.Letter, &v)
	}
	switch {
	case p.Name != nil:
		next.Name = strings.TrimSpace(*p.Name)
		if next.Name == "" && cur.Kind == Class && next.Parallel != nil && *next.Parallel > 0 {
			next.Name = ClassName(*next.Parallel, next.Letter)
		}
	case derivedName && next.Parallel != nil && *next.Parallel > 0:
		next.Name = ClassName(*next.Parallel, next.Letter)
	}
	switch {
	case p.Level != nil:
		next.Level = strings.TrimSpace(*p.Level)
	case derivedLevel && next.Parallel != nil && cur.Kind == Class:
		next.Level = LevelFor(country, *next.Parallel)
	}
	if p.ClassTeacherID.Set {
		next.ClassTeacherID = p.ClassTeacherID.Value
		if next.ClassTeacherID != nil && cur.Kind != Class {
			v.Add("class_teacher_id", "kind", "only a class has a class teacher")
		}
	}
	if p.Capacity.Set {
		next.Capacity = p.Capacity.Value
		checkCapacity(next.Capacity, &v)
	}
	if p.Status != nil && *p.Status != cur.Status {
		switch *p.Status {
		case Active, Closed:
			next.Status = *p.Status
		default:
			v.Add("status", "enum", "status must be active or closed (graduation is the year rollover's)")
		}
	}
	checkName(next.Name, &v)
	if next.Level != cur.Level && !v.Has("level") {
		if next.Level == "" {
			v.Add("level", "required", "the education level is required")
		} else if err := s.checkLevel(ctx, next.Level, country, &v); err != nil {
			return next, err
		}
	}
	if next.Kind == Class && next.Parallel != nil && *next.Parallel == 0 && next.Level != "preschool" && !v.Has("level") {
		v.Add("level", "parallel", "parallel 0 is a preschool group (level preschool)")
	}
	if next.ClassTeacherID != nil && !v.Has("class_teacher_id") && (cur.ClassTeacherID == nil || *cur.ClassTeacherID != *next.ClassTeacherID) {
		if err := checkPerson(ctx, tx, "class_teacher_id", *next.ClassTeacherID, cur.OrgID, &v); err != nil {
			return next, err
		}
	}
	if next.Capacity != nil && !v.Has("capacity") {
		size, err := CurrentSize(ctx, tx, cur.ID)
		if err != nil {
			return next, err
		}
		if size > *next.Capacity {
			v.Add("capacity", "size", fmt.Sprintf("the group has %d members now", size))
		}
	}
	return next, v.Err()
}
