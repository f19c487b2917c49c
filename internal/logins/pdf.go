package logins

import (
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/goregular"
)

// A4 in millimetres; a slip takes half a page, so one sheet cut in two
// gives two families theirs.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 14.0
	halfPage     = pageH / 2
	// membersPerHalf: a family with more people than this gets a whole page.
	membersPerHalf = 5
)

// WriteSlipsPDF writes one slip per family: the school and class, each
// person's name, login and activation code, where to activate (baseURL +
// /activate) and short instructions in lang (ru, uk or en). The fonts are
// the Go fonts (they have Cyrillic), embedded as subsets.
func WriteSlipsPDF(w io.Writer, s Slips, lang, baseURL string) error {
	t := textFor(lang)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(false, margin)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.AddUTF8FontFromBytes("gomono", "", gomono.TTF)
	pdf.SetTitle(t.Title+" · "+s.ClassName, true)
	pdf.SetCreator("Shkola", false)
	expires := s.Expires.Format("02.01.2006")
	if lang == "en" {
		expires = s.Expires.Format("2 January 2006")
	}
	activate := baseURL + "/activate"
	top := pageH // forces a new page for the first slip
	for _, f := range s.Families {
		members := 1 + len(f.Guardians)
		switch {
		case members > membersPerHalf || top+halfPage > pageH+1:
			pdf.AddPage()
			top = 0
		default:
			// The second half of the sheet, below a dashed cut line.
			pdf.SetDrawColor(150, 150, 150)
			pdf.SetDashPattern([]float64{2, 2}, 0)
			pdf.Line(6, top, pageW-6, top)
			pdf.SetDashPattern(nil, 0)
		}
		slip(pdf, t, s, f, activate, expires, top)
		if members > membersPerHalf {
			top = pageH
		} else {
			top += halfPage
		}
	}
	if len(s.Families) == 0 {
		pdf.AddPage()
	}
	return pdf.Output(w)
}

// slip draws one family's slip from top (mm).
func slip(pdf *fpdf.Fpdf, t slipText, s Slips, f Family, activate, expires string, top float64) {
	width := pageW - 2*margin
	pdf.SetXY(margin, top+margin)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("go", "B", 14)
	pdf.CellFormat(width, 7, t.Title, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	pdf.CellFormat(width, 6, fmt.Sprintf(t.Class, s.School, s.ClassName, s.YearName), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	person(pdf, t, f.Pupil, t.Pupil, s.MinAge)
	for _, g := range f.Guardians {
		person(pdf, t, g, t.Guardian, s.MinAge)
	}
	pdf.Ln(1)
	pdf.SetFont("go", "B", 10)
	pdf.CellFormat(width, 5, t.StepsTitle, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 9)
	pdf.MultiCell(width, 4.4, fmt.Sprintf(t.StepActivate, activate), "", "L", false)
	pdf.MultiCell(width, 4.4, t.StepLogin, "", "L", false)
	switch {
	case f.Pupil.AccountID == 0: // too young for an account: nothing to link
	case f.Pupil.Under14:
		pdf.MultiCell(width, 4.4, t.StepChild, "", "L", false)
	default:
		pdf.MultiCell(width, 4.4, t.StepChild14, "", "L", false)
	}
	pdf.Ln(1)
	pdf.SetFont("go", "", 8)
	pdf.MultiCell(width, 4, fmt.Sprintf(t.Expires, expires)+" "+t.Keep, "", "L", false)
}

// person draws a name with its login and code, or what there is instead.
func person(pdf *fpdf.Fpdf, t slipText, m Member, role string, minAge int) {
	width := pageW - 2*margin
	pdf.SetFont("go", "B", 9)
	pdf.CellFormat(width, 5, role+": "+m.Name, "", 1, "L", false, 0, "")
	pdf.SetX(margin + 5)
	switch {
	case m.Code != "":
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(14, 6, t.Login+":", "", 0, "L", false, 0, "")
		pdf.SetFont("gomono", "", 11)
		pdf.CellFormat(58, 6, m.Login, "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(28, 6, t.Code+":", "", 0, "L", false, 0, "")
		pdf.SetFont("gomono", "", 11)
		pdf.CellFormat(width-105, 6, m.Code, "", 1, "L", false, 0, "")
	case !m.Eligible:
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(width-5, 6, fmt.Sprintf(t.TooYoung, minAge), "", 1, "L", false, 0, "")
	case m.AccountID != 0:
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(width-5, 6, t.HasAccount+": "+m.Login, "", 1, "L", false, 0, "")
	default:
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(width-5, 6, t.NoAccount, "", 1, "L", false, 0, "")
	}
	pdf.Ln(1)
}
