package web

import (
	"net/http"

	"shkola/internal/calendar"
	"shkola/internal/directory"
	"shkola/internal/schedule"
)

// RegisterSchedule serves the timetable pages.
func (s *Site) RegisterSchedule(mux *http.ServeMux, g *schedule.Guard, cal *calendar.Guard, dirs *directory.Service) {
}
