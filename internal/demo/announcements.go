package demo

import (
	"context"
	"time"

	"shkola/internal/notify"
	"shkola/internal/store"
)

// genAnnouncements publishes a few announcements that reach parent1: a
// parents' meeting of the child's class from its class teacher (teacher1),
// a school olympiad and an excursion of the child's parallel from the
// director. They go into the change log like any other, so a server's
// dispatcher turns them into parent1's notifications once `serve --demo`
// runs. Skipped without the demo logins.
func genAnnouncements(ctx context.Context, g *Gen, tx *store.Tx) error {
	var class, school int64
	var parallel int
	err := tx.QueryRowContext(ctx, `SELECT gr.id, gr.org_id, gr.parallel FROM accounts a
		JOIN guardianships gd ON gd.guardian_id = a.person_id AND gd.ends_on IS NULL
		JOIN group_members m ON m.person_id = gd.child_id AND m.ends_on IS NULL
		JOIN groups gr ON gr.id = m.group_id AND gr.kind = 'class'
		WHERE a.login = 'parent1' ORDER BY gr.id LIMIT 1`).Scan(&class, &school, &parallel)
	if store.IsNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	author := func(login string) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM accounts WHERE login = $1", login).Scan(&id)
		return id, err
	}
	teacher, err := author("teacher1")
	if err != nil {
		return err
	}
	director, err := author("director1")
	if err != nil {
		return err
	}
	s := &notify.Service{Now: func() time.Time { return Epoch().Add(2 * time.Hour) }}
	for _, a := range []struct {
		n  notify.NewAnnouncement
		by int64
	}{
		{notify.NewAnnouncement{Audience: notify.AudienceClass, GroupID: class, Kind: notify.Meeting, Title: "Первое собрание учебного года",
			Body: "Первое собрание учебного года: расписание, кружки, питание. Кабинет классного руководителя, 18:00.", EventOn: "2026-09-18"}, teacher},
		{notify.NewAnnouncement{Audience: notify.AudienceSchool, OrgID: school, Kind: notify.Olympiad, Title: "Школьный этап всероссийской олимпиады",
			Body: "Запись на школьный этап по всем предметам — у классных руководителей до 25 сентября.", EventOn: "2026-10-02"}, director},
		{notify.NewAnnouncement{Audience: notify.AudienceParallel, OrgID: school, Parallel: parallel, Kind: notify.Excursion, Title: "Экскурсия в краеведческий музей",
			Body: "Выезд от школы в 9:00, возвращение к 14:00. Нужна подпись родителей.", EventOn: "2026-09-25"}, director},
	} {
		if _, err := s.CreateAnnouncementTx(ctx, tx, a.n, a.by); err != nil {
			return err
		}
		g.Sum.Counts["announcements"]++
	}
	return nil
}
