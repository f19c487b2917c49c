package registry

import "testing"

func TestNameKeyFoldsSpellings(t *testing.T) {
	same := [][2][2]string{
		{{"Семёнов", "Пётр"}, {"Семенов", "Петр"}},
		{{"Семёнов", "Пётр"}, {"Semyonov", "Pyotr"}},
		{{"Щукина", "Юлия"}, {"Shchukina", "Yuliya"}},
		{{"Филиппов", "Алексей"}, {"FILIPOV", "Aleksei"}},
		{{"Харитонова", "Наталья"}, {"Kharitonova", "Natalia"}},
		{{"Гончаренко", "Олена"}, {"Honcharenko", "Olena"}},
		{{"Цой", "Виктор"}, {"Tsoi", "Viktor"}},
	}
	for _, c := range same {
		a, b := NameKey(c[0][0], c[0][1]), NameKey(c[1][0], c[1][1])
		if a != b {
			t.Errorf("%v and %v: %q != %q", c[0], c[1], a, b)
		}
	}
	different := [][2][2]string{
		{{"Иванов", "Иван"}, {"Иванова", "Ивана"}},
		{{"Петров", "Илья"}, {"Петров", "Олег"}},
	}
	for _, c := range different {
		if NameKey(c[0][0], c[0][1]) == NameKey(c[1][0], c[1][1]) {
			t.Errorf("%v and %v fold together", c[0], c[1])
		}
	}
}
