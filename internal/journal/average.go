package journal

// The weighted average of the journal, in one place for every reader (the
// grid, the period marks, the pupil's diary and its class comparison):
// scored marks weighted by their work kind, pass/fail marks (no score) and
// marks of cancelled lessons left out.

// Scored is a mark as the average sees it.
type Scored struct {
	Score     *float64
	Weight    int
	Cancelled bool // the lesson was cancelled: its mark does not count
}

// WeightedAverage is the average of the scored marks weighted by their work
// kind; nil when no mark counts.
func WeightedAverage(marks []Scored) *float64 {
	var sum, weight float64
	for _, m := range marks {
		if m.Score == nil || m.Cancelled {
			continue
		}
		sum += *m.Score * float64(m.Weight)
		weight += float64(m.Weight)
	}
	if weight == 0 {
		return nil
	}
	avg := sum / weight
	return &avg
}

// The same rule in SQL, for averages computed in the database (the period
// mark's suggestion, the class median of the diary): AverageSQL aggregates
// marks x of lessons l that satisfy AveragedSQL.
const (
	AverageSQL  = "SUM(x.score * x.weight) / SUM(x.weight)"
	AveragedSQL = "x.score IS NOT NULL AND l.status <> 'cancelled'"
)
