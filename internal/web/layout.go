package web

// layoutText is the layout's labels in one language (see texts.go).
type layoutText struct {
	AppName      string `msg:"app.name"`
	Tagline      string `msg:"app.tagline"`
	Skip         string `msg:"nav.skip"`
	Menu         string `msg:"nav.menu"`
	Notify       string `msg:"notify.nav"`
	Unread       string `msg:"notify.unread"`
	Login        string `msg:"account.login"`
	Logout       string `msg:"account.logout"`
	Language     string `msg:"prefs.language"`
	LowVisionOn  string `msg:"prefs.lowvision.on"`
	LowVisionOff string `msg:"prefs.lowvision.off"`
	API          string `msg:"footer.api"`
}

// NavLink is a navigation item as the layout shows it to one visitor.
type NavLink struct {
	Path, Label string
	Current     bool // the page shown is the item's
}
