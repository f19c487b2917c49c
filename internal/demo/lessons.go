package demo

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"shkola/internal/schedule"

	"shkola/internal/store"
)

// Topics of the lessons by subject, in the order a year goes through them
// (a few per subject; the list repeats with "повторение" when a year has
// more lessons than topics).
var demoTopics = map[string][]string{
	"rus": {"Повторение изученного в начальной школе", "Звуки и буквы. Фонетический разбор", "Орфограммы в корне слова", "Состав слова. Морфемный разбор",
		"Имя существительное как часть речи", "Род и число имён существительных", "Склонение имён существительных", "Имя прилагательное",
		"Глагол как часть речи", "Правописание -тся и -ться", "Простое предложение. Главные члены", "Однородные члены предложения"},
	"lit": {"Устное народное творчество. Сказки", "И. А. Крылов. Басни", "А. С. Пушкин. «Сказка о мёртвой царевне»", "М. Ю. Лермонтов. «Бородино»",
		"Н. В. Гоголь. «Вечера на хуторе близ Диканьки»", "И. С. Тургенев. «Муму»", "Н. А. Некрасов. «Крестьянские дети»", "Л. Н. Толстой. «Кавказский пленник»"},
	"math": {"Натуральные числа и шкалы", "Сложение и вычитание натуральных чисел", "Умножение и деление", "Упрощение выражений", "Уравнения",
		"Площади и объёмы", "Обыкновенные дроби", "Сравнение дробей", "Сложение и вычитание дробей", "Десятичные дроби"},
	"alg":    {"Выражения и их преобразования", "Линейное уравнение с одной переменной", "Функции и их графики", "Линейная функция", "Степень с натуральным показателем", "Одночлены", "Многочлены", "Формулы сокращённого умножения"},
	"geom":   {"Начальные геометрические сведения", "Отрезки и углы", "Треугольники. Признаки равенства", "Медианы, биссектрисы и высоты", "Параллельные прямые", "Сумма углов треугольника"},
	"prob":   {"Представление данных. Таблицы", "Диаграммы", "Описательная статистика", "Случайная изменчивость", "Введение в теорию графов"},
	"inf":    {"Информация и информационные процессы", "Компьютер и его устройства", "Файлы и папки", "Кодирование информации", "Алгоритмы и исполнители"},
	"world":  {"Природа и человек", "Неживая и живая природа", "Наша страна — Россия", "Родной край", "Растения и животные", "Здоровый образ жизни"},
	"eng":    {"Introduction. My school", "Family and friends", "My day", "At home", "Food and drinks", "Hobbies and free time", "Weather and seasons", "Travelling"},
	"hist":   {"Что изучает история", "Первобытные люди", "Древний Египет", "Древняя Месопотамия", "Древняя Индия и Китай", "Древняя Греция", "Древний Рим"},
	"soc":    {"Человек и общество", "Человек в социальном измерении", "Деятельность человека", "Общение", "Семья и семейные отношения"},
	"geo":    {"Что изучает география", "Развитие географических знаний", "Изображения земной поверхности", "План местности", "Географическая карта", "Литосфера"},
	"bio":    {"Биология — наука о живой природе", "Методы изучения живой природы", "Клетка — основа строения организмов", "Ткани", "Организм как единое целое"},
	"phys":   {"Физика и физические методы изучения природы", "Строение вещества", "Механическое движение", "Масса тела. Плотность", "Сила. Виды сил", "Давление"},
	"chem":   {"Предмет химии", "Чистые вещества и смеси", "Атомы и молекулы", "Химические формулы", "Валентность", "Химические реакции"},
	"art":    {"Искусство вокруг нас", "Древние корни народного искусства", "Декор — человек, общество, время", "Натюрморт"},
	"music":  {"Музыка и литература", "Вокальная музыка", "Фольклор в музыке русских композиторов", "Музыка и изобразительное искусство"},
	"tech":   {"Технологии и мир профессий", "Материалы и их свойства", "Ручная обработка древесины", "Основы черчения", "Робототехника"},
	"pe":     {"Техника безопасности на уроках", "Лёгкая атлетика. Бег на короткие дистанции", "Прыжок в длину с разбега", "Гимнастика", "Спортивные игры. Волейбол", "Баскетбол"},
	"obzr":   {"Безопасность и защищённость человека", "Правила безопасного поведения", "Первая помощь", "Безопасность на транспорте"},
	"odnknr": {"Россия — наш общий дом", "Традиционные духовно-нравственные ценности", "Семья — хранитель духовных ценностей", "Культура народов России"},
}

// demoHomework is what is set at a lesson, by subject ("%d" takes a number).
var demoHomework = map[string][]string{
	"rus":   {"§ %d, упр. 45", "Упр. %d, выучить правило", "Словарные слова с. 12, упр. %d"},
	"lit":   {"Прочитать с. %d–%d, ответить на вопросы", "Выучить отрывок наизусть", "Пересказ с. %d"},
	"math":  {"№ %d, %d", "№ %d (а, б), повторить правило", "Решить задачи № %d–%d"},
	"alg":   {"§ %d, № %d", "№ %d, %d, повторить формулы"},
	"geom":  {"п. %d, задачи № %d", "Выучить теорему, № %d"},
	"eng":   {"Workbook p. %d, ex. %d", "Learn the new words, SB p. %d", "Write 5 sentences about your day"},
	"hist":  {"§ %d, вопросы после параграфа", "§ %d, карта в контурной карте"},
	"soc":   {"§ %d, задания в рубрике «В классе и дома»"},
	"geo":   {"§ %d, контурная карта", "§ %d, вопросы 1–4"},
	"bio":   {"§ %d, зарисовать клетку", "§ %d, вопросы в конце"},
	"phys":  {"§ %d, упр. %d", "§ %d, подготовиться к лабораторной работе"},
	"chem":  {"§ %d, задачи %d, %d", "§ %d, выучить формулы"},
	"world": {"Учебник с. %d–%d, рабочая тетрадь с. %d"},
	"inf":   {"§ %d, вопросы 1–5"},
	"prob":  {"§ %d, № %d"},
}

// topicOf is the topic of the k-th held lesson of a subject (from 0) and
// whether it is a control work: every eighth lesson of the main subjects.
// ok is false for a subject without topics.
func topicOf(subject string, k int) (topic string, control, ok bool) {
	topics := demoTopics[subject]
	if len(topics) == 0 {
		return "", false, false
	}
	topic = topics[(k/3)%len(topics)]
	if k/3 >= len(topics) {
		topic += " (повторение)"
	}
	control = k%8 == 7 && (subject == "rus" || subject == "math" || subject == "alg" || subject == "geom")
	if control {
		topic = "Контрольная работа: " + topic
	}
	return topic, control, true
}

// topicsByGroup gives the lessons before Today their topics as generation
// writes them, period after period: the k-th lesson of a group in a
// subject (by date and slot) takes topicOf(subject, k). held counts each
// group's lessons of a subject so far, across the periods of the year.
type topicsByGroup struct {
	held map[string]int
}

func (tb *topicsByGroup) fill(ls []schedule.Lesson) {
	order := make([]int, len(ls))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		x, y := &ls[order[a]], &ls[order[b]]
		if x.GroupID != y.GroupID {
			return x.GroupID < y.GroupID
		}
		if x.Subject != y.Subject {
			return x.Subject < y.Subject
		}
		if x.Date != y.Date {
			return x.Date < y.Date
		}
		return x.Slot < y.Slot
	})
	for _, i := range order {
		l := &ls[i]
		if l.Date >= Today() {
			continue
		}
		key := strconv.FormatInt(l.GroupID, 10) + "|" + l.Subject
		topic, control, ok := topicOf(l.Subject, tb.held[key])
		if !ok {
			continue
		}
		l.Topic, l.ControlWork = topic, control
		if control {
			l.Kind = "control"
		}
		tb.held[key]++
	}
}

// heldLessons writes, for the lessons of a school before Today (whose
// topics and control works generation wrote, see topicsByGroup), homework
// on most lessons of the subjects that set it, due at the group's next
// lesson of the subject. Rows are written in bulk and without change-log
// entries: they are history loaded with the demo, and the family
// notifications fed by the change log must not announce three months of
// old homework.
func heldLessons(ctx context.Context, g *Gen, tx *store.Tx, orgID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, group_id, subject, on_date FROM lessons WHERE org_id = $1 AND status = 'planned'
		ORDER BY group_id, subject, on_date, slot`, orgID)
	if err != nil {
		return err
	}
	type row struct {
		id, group     int64
		subject, date string
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.group, &r.subject, &r.date); err != nil {
			_ = rows.Close() // the error returned below is the one to report
			return err
		}
		all = append(all, r)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	type hw struct {
		lesson    int64
		text, due string
	}
	var hws []hw
	held, k := 0, 0
	for i, r := range all {
		if i > 0 && (all[i-1].group != r.group || all[i-1].subject != r.subject) {
			k = 0
		}
		if r.date >= Today() {
			continue
		}
		if _, _, ok := topicOf(r.subject, k); !ok {
			continue
		}
		held++
		if texts := demoHomework[r.subject]; len(texts) > 0 && g.R.IntN(10) < 7 && i+1 < len(all) &&
			all[i+1].group == r.group && all[i+1].subject == r.subject {
			t := texts[g.R.IntN(len(texts))]
			n := 3 + k*2 + g.R.IntN(5)
			t = fmt.Sprintf(t, n, n+2, n+4)
			if j := strings.Index(t, "%!"); j >= 0 {
				t = t[:j] // fewer verbs than numbers
			}
			hws = append(hws, hw{r.id, t, all[i+1].date})
		}
		k++
	}
	now := Epoch()
	if err := store.CopyRows(ctx, tx, "homework", []string{"lesson_id", "text", "due_on", "version", "created_at", "updated_at"}, len(hws),
		func(i int, a []any) error {
			a[0], a[1], a[2], a[3], a[4], a[5] = hws[i].lesson, hws[i].text, hws[i].due, 1, now, now
			return nil
		}); err != nil {
		return err
	}
	g.Sum.Counts["lessons held"] += held
	g.Sum.Counts["homework"] += len(hws)
	return nil
}
