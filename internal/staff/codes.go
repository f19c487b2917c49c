package staff

import (
	"context"
	"strings"
)

// Directories whose codes staff records store.
const (
	PositionDirectory = "position"
	SubjectDirectory  = "subject"
)

// Positions lists the codes of the reference directory "position" as
// shipped. Once the directory package is wired (Service.Known), the
// directory decides which codes are accepted; these lists remain the
// order the UI offers and what the demo draws from.
func Positions() []string {
	return []string{"director", "deputy_director", "teacher", "class_supervisor", "psychologist", "social_pedagogue",
		"speech_therapist", "tutor", "librarian", "medical_worker", "secretary", "educator"}
}

// Subjects lists the codes of the reference directory "subject" as shipped
// (see Positions).
func Subjects() []string {
	return []string{"rus", "lit", "native", "math", "alg", "geom", "prob", "inf", "phys", "chem", "bio", "geo", "hist",
		"soc", "eng", "deu", "fra", "ukr", "ukr_lit", "world", "art", "music", "tech", "pe", "obzr", "odnknr", "astr"}
}

// KnownFunc answers whether code is an active entry of a reference
// directory.
type KnownFunc func(ctx context.Context, directory, code string) (bool, error)

// builtinKnown answers from the shipped lists until the directory package
// (internal/directory) is wired in as Service.Known.
func builtinKnown(_ context.Context, directory, code string) (bool, error) {
	switch directory {
	case PositionDirectory:
		return contains(Positions(), code), nil
	case SubjectDirectory:
		return contains(Subjects(), code), nil
	}
	return false, nil
}

func (s *Service) known(ctx context.Context, directory, code string) (bool, error) {
	if s.Known != nil {
		return s.Known(ctx, directory, code)
	}
	return builtinKnown(ctx, directory, code)
}

func normCode(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
