package demo

import (
	"context"
	"fmt"

	"shkola/internal/natid"
	"shkola/internal/org"
	"shkola/internal/store"
)

var (
	cityNames = []string{"Калуга", "Обнинск", "Людиново", "Киров", "Козельск", "Сухиничи", "Малоярославец", "Балабаново",
		"Кондрово", "Жуков", "Медынь", "Мещовск", "Таруса", "Юхнов", "Мосальск", "Спас-Деменск", "Боровск", "Ермолино",
		"Белоусово", "Бабынино", "Думиничи", "Износки", "Хвастовичи", "Ульяново", "Перемышль", "Ферзиково", "Бетлица",
		"Тарутино", "Детчино", "Полотняный Завод"}
	streets = []string{"ул. Ленина", "ул. Гагарина", "ул. Школьная", "ул. Садовая", "ул. Мира", "ул. Победы",
		"ул. Пушкина", "ул. Циолковского", "пр. Строителей", "ул. Молодёжная", "ул. Лесная", "ул. Советская",
		"ул. Кирова", "ул. Чехова", "ул. Набережная", "ул. Заречная"}
	kindergartens = []string{"Солнышко", "Берёзка", "Радуга", "Колокольчик", "Теремок", "Ромашка", "Сказка", "Звёздочка",
		"Ласточка", "Золотой ключик", "Светлячок", "Улыбка"}
)

func plural(k org.Kind) string {
	switch k {
	case org.Municipality:
		return "municipalities"
	default:
		return string(k) + "s"
	}
}

func (g *Gen) address(city string) string {
	return fmt.Sprintf("Калужская обл., г. %s, %s, д. %d", city, streets[g.R.IntN(len(streets))], 1+g.R.IntN(120))
}

// genOrganisations makes the region, its municipalities and their schools
// and kindergartens with valid identifiers (Kaluga region code 40).
func genOrganisations(ctx context.Context, g *Gen, tx *store.Tx) error {
	svc := org.NewService(nil)
	b, err := svc.NewBatch(ctx, tx)
	if err != nil {
		return err
	}
	defer b.Close()
	b.SetTime(Epoch())
	mk := func(n org.New) (org.Organisation, error) {
		n.Country = org.RU
		n.INN = natid.GenLegalINN(g.R, "40")
		n.OGRN = natid.GenOGRN(g.R, "10240")
		o, err := b.Create(ctx, n)
		if err == nil {
			g.Sum.Counts[plural(o.Kind)]++
		}
		return o, err
	}
	g.Region, err = mk(org.New{Kind: org.Region, Name: "Министерство образования и науки Калужской области (демо)",
		ShortName: "Минобр (демо)", Address: "Калужская обл., г. Калуга, ул. Врубовая, д. 1"})
	if err != nil {
		return err
	}
	for i := range g.Size.Municipalities {
		city := cityNames[i%len(cityNames)]
		if i >= len(cityNames) {
			city = fmt.Sprintf("%s-%d", city, i/len(cityNames)+1)
		}
		m, err := mk(org.New{ParentID: &g.Region.ID, Kind: org.Municipality,
			Name: fmt.Sprintf("Управление образования городского округа «%s»", city), ShortName: "УО «" + city + "»",
			Address: g.address(city)})
		if err != nil {
			return err
		}
		g.Municipalities = append(g.Municipalities, m)
		for j := range g.Size.SchoolsPerMunicipal {
			num := j + 1
			var name, short string
			switch g.R.IntN(10) {
			case 0:
				name, short = fmt.Sprintf("Муниципальное бюджетное общеобразовательное учреждение «Гимназия № %d» г. %s", num, city), fmt.Sprintf("Гимназия № %d", num)
			case 1:
				name, short = fmt.Sprintf("Муниципальное бюджетное общеобразовательное учреждение «Лицей № %d» г. %s", num, city), fmt.Sprintf("Лицей № %d", num)
			default:
				name, short = fmt.Sprintf("Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № %d» г. %s", num, city), fmt.Sprintf("СОШ № %d", num)
			}
			s, err := mk(org.New{ParentID: &m.ID, Kind: org.School, Name: name, ShortName: short + " (" + city + ")", Address: g.address(city)})
			if err != nil {
				return err
			}
			g.Schools = append(g.Schools, s)
		}
		for j := range g.Size.PreschoolsPerMuni {
			nick := kindergartens[g.R.IntN(len(kindergartens))]
			p, err := mk(org.New{ParentID: &m.ID, Kind: org.Preschool,
				Name:      fmt.Sprintf("Муниципальное бюджетное дошкольное образовательное учреждение «Детский сад № %d «%s»» г. %s", j+1, nick, city),
				ShortName: fmt.Sprintf("Д/с № %d «%s» (%s)", j+1, nick, city), Address: g.address(city)})
			if err != nil {
				return err
			}
			g.Preschools = append(g.Preschools, p)
		}
	}
	return nil
}
