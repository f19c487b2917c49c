package logins

// slipText is the wording of a printed slip in one language. It lives with
// the slip rather than in the UI catalogues because the API prints the same
// document; %s and %d are filled in the order written.
type slipText struct {
	Title, Class, Pupil, Guardian, Login, Code, HasAccount, NoAccount, TooYoung string
	StepsTitle, StepActivate, StepLogin, StepChild, StepChild14, Expires, Keep  string
}

var slipTexts = map[string]slipText{
	"ru": {
		Title: "Вход в электронный дневник", Class: "%s · класс %s · %s учебный год",
		Pupil: "Ученик", Guardian: "Родитель (законный представитель)", Login: "логин", Code: "код активации",
		HasAccount: "учётная запись уже есть", NoAccount: "учётной записи нет",
		TooYoung:     "своя учётная запись — с %d лет; дневник ребёнка виден в учётной записи родителя",
		StepsTitle:   "Как войти",
		StepActivate: "1. Откройте %s, введите свой код активации и придумайте пароль (не короче 8 символов).",
		StepLogin:    "2. Затем входите со своим логином и этим паролем.",
		StepChild:    "3. Ребёнку нет 14 лет: его учётную запись включает родитель. Войдите в свою учётную запись, откройте «Мои дети», введите код ребёнка и задайте ему пароль.",
		StepChild14:  "3. Ученик с 14 лет включает свою учётную запись сам своим кодом. Родитель может привязать её на странице «Мои дети» кодом ребёнка.",
		Expires:      "Коды действуют до %s и только один раз.",
		Keep:         "Не передавайте коды посторонним: код открывает учётную запись так же, как пароль.",
	},
	"uk": {
		Title: "Вхід до електронного щоденника", Class: "%s · клас %s · %s навчальний рік",
		Pupil: "Учень", Guardian: "Батьки (законний представник)", Login: "логін", Code: "код активації",
		HasAccount: "обліковий запис уже є", NoAccount: "облікового запису немає",
		TooYoung:     "власний обліковий запис — з %d років; щоденник дитини видно в обліковому записі батьків",
		StepsTitle:   "Як увійти",
		StepActivate: "1. Відкрийте %s, введіть свій код активації та придумайте пароль (щонайменше 8 символів).",
		StepLogin:    "2. Далі входьте зі своїм логіном і цим паролем.",
		StepChild:    "3. Дитині немає 14 років: її обліковий запис вмикають батьки. Увійдіть до свого облікового запису, відкрийте «Мої діти», введіть код дитини та задайте їй пароль.",
		StepChild14:  "3. Учень з 14 років вмикає свій обліковий запис сам своїм кодом. Батьки можуть прив’язати його на сторінці «Мої діти» кодом дитини.",
		Expires:      "Коди діють до %s і лише один раз.",
		Keep:         "Не передавайте коди стороннім: код відкриває обліковий запис так само, як пароль.",
	},
	"en": {
		Title: "Signing in to the school diary", Class: "%s · class %s · school year %s",
		Pupil: "Pupil", Guardian: "Parent (legal representative)", Login: "login", Code: "activation code",
		HasAccount: "already has an account", NoAccount: "no account",
		TooYoung:     "an own account from the age of %d; the child's diary is in the parent's account",
		StepsTitle:   "How to sign in",
		StepActivate: "1. Open %s, enter your activation code and choose a password (8 characters or more).",
		StepLogin:    "2. From then on sign in with your login and that password.",
		StepChild:    "3. The child is under 14: a parent switches the child's account on. Sign in to your own account, open \"My children\", enter the child's code and set the child's password.",
		StepChild14:  "3. A pupil of 14 or older switches the account on with the pupil's own code. A parent can link it on the \"My children\" page with the child's code.",
		Expires:      "The codes work until %s, once each.",
		Keep:         "Keep the codes to yourselves: a code opens the account just as a password does.",
	},
}

// textFor returns the wording in lang, Russian when there is none.
func textFor(lang string) slipText {
	if t, ok := slipTexts[lang]; ok {
		return t
	}
	return slipTexts["ru"]
}
