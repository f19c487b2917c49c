package journal

import (
	"strconv"
	"time"
)

// Attendance statuses. A pupil with no attendance row was present.
const (
	Present = "present"
	Absent  = "absent"
	Late    = "late"
)

// Batch modes.
const (
	PerCell      = "per_cell"       // each cell saved or refused on its own
	AllOrNothing = "all_or_nothing" // one refused cell writes nothing
)

// Limits of a batch and of the free fields.
const (
	MaxCells      = 200
	MaxComment    = 500
	MaxReason     = 500
	MaxLateMinute = 90
	maxKeyLen     = 100
)

// MarkInput is a mark as written into a cell. An empty value clears the
// cell; an empty kind is "control" on a control-work lesson and "oral"
// otherwise.
type MarkInput struct {
	Value   string `json:"value"`
	Kind    string `json:"kind,omitempty"`
	Comment string `json:"comment,omitempty"`
}

// AttendanceInput is a pupil's presence at a lesson: present, absent with
// a reason (illness, excused, unexcused: the absence_reason directory), or
// late by some minutes.
type AttendanceInput struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Minutes int    `json:"minutes,omitempty"`
}

// CellInput is what a batch says about one pupil: a mark, attendance or
// both; what it leaves out stays as it is.
type CellInput struct {
	PersonID   int64            `json:"person_id"`
	Mark       *MarkInput       `json:"mark,omitempty"`
	Attendance *AttendanceInput `json:"attendance,omitempty"`
}

// Batch is the marks and attendance of one lesson sent at once.
type Batch struct {
	Mode   string      `json:"mode,omitempty"`
	Reason string      `json:"reason,omitempty"` // required when amending
	Cells  []CellInput `json:"cells"`
}

// Mark is a stored mark.
type Mark struct {
	ID        int64     `json:"id"`
	LessonID  int64     `json:"lesson_id"`
	PersonID  int64     `json:"person_id"`
	Scale     string    `json:"scale"`
	Value     string    `json:"value"`
	Score     *float64  `json:"score,omitempty"`
	Kind      string    `json:"kind"`
	Weight    int       `json:"weight"`
	Comment   string    `json:"comment,omitempty"`
	Author    string    `json:"author"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Attendance is a stored absence or lateness.
type Attendance struct {
	ID        int64     `json:"id"`
	LessonID  int64     `json:"lesson_id"`
	PersonID  int64     `json:"person_id"`
	Status    string    `json:"status"`
	Reason    string    `json:"reason,omitempty"`
	Minutes   *int      `json:"minutes,omitempty"`
	Author    string    `json:"author"`
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Cell outcomes.
const (
	CellSaved     = "saved"     // written
	CellUnchanged = "unchanged" // already so: nothing written
	CellError     = "error"     // refused: see errors
	CellSkipped   = "skipped"   // valid, but an all-or-nothing batch had a refused cell
)

// CellErr is why a cell was refused, naming the field and the rule.
type CellErr struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// CellResult is the outcome of one cell of a batch.
type CellResult struct {
	PersonID   int64       `json:"person_id"`
	Status     string      `json:"status"`
	Mark       *Mark       `json:"mark,omitempty"`
	Attendance *Attendance `json:"attendance,omitempty"`
	Errors     []CellErr   `json:"errors,omitempty"`
}

// BatchResult is the answer to a batch: every cell's outcome in the order
// sent.
type BatchResult struct {
	LessonID int64        `json:"lesson_id"`
	Mode     string       `json:"mode"`
	Saved    int          `json:"saved"`
	Failed   int          `json:"failed"`
	Cells    []CellResult `json:"cells"`
}

// Status is the HTTP status a batch answers with: 200 when every cell was
// accepted, 207 when some were saved and some refused, 422 when nothing was
// written because of refused cells.
func (r BatchResult) Status() int {
	switch {
	case r.Failed == 0:
		return 200
	case r.Saved > 0:
		return 207
	}
	return 422
}

// text is how a cell's value is written in its history.
func (m *Mark) text() string {
	if m == nil {
		return ""
	}
	return m.Value + "/" + m.Kind
}

func (a *Attendance) text() string {
	if a == nil {
		return ""
	}
	if a.Status == Late && a.Minutes != nil {
		return Late + "/" + strconv.Itoa(*a.Minutes)
	}
	if a.Reason != "" {
		return a.Status + "/" + a.Reason
	}
	return a.Status
}
