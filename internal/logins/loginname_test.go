package logins

import "testing"

func TestLoginBase(t *testing.T) {
	for _, c := range []struct{ last, first, want string }{
		{"Петров", "Илья", "petrov.ilia"},
		{"Щукина", "Юлия", "shchukina.iuliia"},
		{"Римский-Корсаков", "Фёдор", "rimskii-korsakov.fedor"},
		{"Коваленко", "Олексій", "kovalenko.oleksii"},
		{"Ґалаґан", "Євгенія", "galagan.ievgeniia"},
		{"Smith", "John", "smith.john"},
		{"", "", "user"},
	} {
		if got := loginBase(c.last, c.first); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.last, c.first, got, c.want)
		}
	}
	if got := loginBase("Оченьдлиннаяфамилиякотораяневлезает", "Имя"); len(got) > 64 {
		t.Errorf("too long: %q", got)
	}
}
