-- The directories as the region starts with them. Codes are what the other
-- domains store and are kept exactly; names and attributes are the regional
-- officers' to change afterwards (each change is a new version).
-- Every entry starts at version 1 with that version in its history.
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('subject', 'rus', 'Русский язык', 'Російська мова', 'Russian language', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'lit', 'Литература', 'Література', 'Literature', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'native', 'Родной язык', 'Рідна мова', 'Native language', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'math', 'Математика', 'Математика', 'Mathematics', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'alg', 'Алгебра', 'Алгебра', 'Algebra', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'geom', 'Геометрия', 'Геометрія', 'Geometry', '{}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'prob', 'Вероятность и статистика', 'Ймовірність і статистика', 'Probability and statistics', '{}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'inf', 'Информатика', 'Інформатика', 'Computer science', '{}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'phys', 'Физика', 'Фізика', 'Physics', '{}', 90, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'chem', 'Химия', 'Хімія', 'Chemistry', '{}', 100, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'bio', 'Биология', 'Біологія', 'Biology', '{}', 110, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'geo', 'География', 'Географія', 'Geography', '{}', 120, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'hist', 'История', 'Історія', 'History', '{}', 130, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'soc', 'Обществознание', 'Суспільствознавство', 'Social studies', '{}', 140, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'eng', 'Английский язык', 'Англійська мова', 'English', '{}', 150, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'deu', 'Немецкий язык', 'Німецька мова', 'German', '{}', 160, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'fra', 'Французский язык', 'Французька мова', 'French', '{}', 170, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'ukr', 'Украинский язык', 'Українська мова', 'Ukrainian language', '{}', 180, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'ukr_lit', 'Украинская литература', 'Українська література', 'Ukrainian literature', '{}', 190, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'world', 'Окружающий мир', 'Я досліджую світ', 'The world around us', '{}', 200, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'art', 'Изобразительное искусство', 'Образотворче мистецтво', 'Fine arts', '{}', 210, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'music', 'Музыка', 'Музичне мистецтво', 'Music', '{}', 220, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'tech', 'Труд (технология)', 'Технології', 'Technology', '{}', 230, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'pe', 'Физическая культура', 'Фізична культура', 'Physical education', '{}', 240, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'obzr', 'Основы безопасности и защиты Родины', 'Основи безпеки і захисту Батьківщини', 'Fundamentals of security and defence of the Motherland', '{}', 250, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'odnknr', 'ОДНКНР', 'Основи духовно-моральної культури народів Росії', 'Spiritual and moral culture of the peoples of Russia', '{}', 260, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('subject', 'astr', 'Астрономия', 'Астрономія', 'Astronomy', '{}', 270, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('work_kind', 'oral', 'Устный ответ', 'Усна відповідь', 'Oral answer', '{"weight":1}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'homework', 'Домашняя работа', 'Домашня робота', 'Homework', '{"weight":1}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'test', 'Тест', 'Тест', 'Test', '{"weight":2}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'dictation', 'Диктант', 'Диктант', 'Dictation', '{"weight":2}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'lab', 'Лабораторная работа', 'Лабораторна робота', 'Laboratory work', '{"weight":2}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'essay', 'Сочинение', 'Твір', 'Essay', '{"weight":2}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'project', 'Проект', 'Проєкт', 'Project', '{"weight":2}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'control', 'Контрольная работа', 'Контрольна робота', 'Assessment test', '{"weight":3}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('work_kind', 'exam', 'Экзамен', 'Іспит', 'Exam', '{"weight":3}', 90, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('lesson_kind', 'regular', 'Урок', 'Урок', 'Lesson', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('lesson_kind', 'control', 'Контрольный урок', 'Контрольний урок', 'Assessment lesson', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('lesson_kind', 'lab', 'Лабораторное занятие', 'Лабораторне заняття', 'Laboratory session', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('lesson_kind', 'excursion', 'Экскурсия', 'Екскурсія', 'Excursion', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('lesson_kind', 'consultation', 'Консультация', 'Консультація', 'Consultation', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('lesson_kind', 'exam', 'Экзамен', 'Іспит', 'Exam', '{}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('absence_reason', 'illness', 'По болезни', 'Через хворобу', 'Illness', '{"excused":true}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('absence_reason', 'excused', 'По уважительной причине', 'З поважної причини', 'Excused', '{"excused":true}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('absence_reason', 'unexcused', 'Без уважительной причины', 'Без поважної причини', 'Unexcused', '{"excused":false}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('document_type', 'birth_certificate_ru', 'Свидетельство о рождении (РФ)', 'Свідоцтво про народження (РФ)', 'Birth certificate (Russia)', '{"identity":true}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'birth_certificate_foreign', 'Свидетельство о рождении (иностранное)', 'Свідоцтво про народження (іноземне)', 'Birth certificate (foreign)', '{"identity":true}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'passport_ru', 'Паспорт гражданина РФ', 'Паспорт громадянина РФ', 'Passport of a citizen of Russia', '{"identity":true}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'passport_foreign', 'Паспорт иностранного гражданина', 'Паспорт іноземного громадянина', 'Foreign passport', '{"identity":true}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'residence_permit', 'Вид на жительство', 'Посвідка на проживання', 'Residence permit', '{"identity":true}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'refugee_certificate', 'Удостоверение беженца', 'Посвідчення біженця', 'Refugee certificate', '{"identity":true}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'passport_ua', 'Паспорт гражданина Украины', 'Паспорт громадянина України', 'Passport of a citizen of Ukraine', '{"identity":true}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'id_card_ua', 'ID-карта гражданина Украины', 'ID-картка громадянина України', 'Ukrainian ID card', '{"identity":true}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'birth_certificate_ua', 'Свидетельство о рождении (Украина)', 'Свідоцтво про народження (Україна)', 'Birth certificate (Ukraine)', '{"identity":true}', 90, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'guardianship_order', 'Акт о назначении опекуна', 'Рішення про призначення опікуна', 'Guardianship order', '{"representation":true}', 100, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'trusteeship_order', 'Акт о назначении попечителя', 'Рішення про призначення піклувальника', 'Trusteeship order', '{"representation":true}', 110, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'adoption_certificate', 'Свидетельство об усыновлении', 'Свідоцтво про усиновлення', 'Adoption certificate', '{"representation":true}', 120, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('document_type', 'power_of_attorney', 'Доверенность', 'Довіреність', 'Power of attorney', '{"representation":true}', 130, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('citizenship', 'RU', 'Россия', 'Росія', 'Russia', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'UA', 'Украина', 'Україна', 'Ukraine', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'BY', 'Беларусь', 'Білорусь', 'Belarus', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'KZ', 'Казахстан', 'Казахстан', 'Kazakhstan', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'UZ', 'Узбекистан', 'Узбекистан', 'Uzbekistan', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'TJ', 'Таджикистан', 'Таджикистан', 'Tajikistan', '{}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'KG', 'Киргизия', 'Киргизстан', 'Kyrgyzstan', '{}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'TM', 'Туркмения', 'Туркменістан', 'Turkmenistan', '{}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'AM', 'Армения', 'Вірменія', 'Armenia', '{}', 90, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'AZ', 'Азербайджан', 'Азербайджан', 'Azerbaijan', '{}', 100, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'MD', 'Молдова', 'Молдова', 'Moldova', '{}', 110, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'GE', 'Грузия', 'Грузія', 'Georgia', '{}', 120, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'LV', 'Латвия', 'Латвія', 'Latvia', '{}', 130, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'LT', 'Литва', 'Литва', 'Lithuania', '{}', 140, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'EE', 'Эстония', 'Естонія', 'Estonia', '{}', 150, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'PL', 'Польша', 'Польща', 'Poland', '{}', 160, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'DE', 'Германия', 'Німеччина', 'Germany', '{}', 170, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'TR', 'Турция', 'Туреччина', 'Turkey', '{}', 180, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'CN', 'Китай', 'Китай', 'China', '{}', 190, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'VN', 'Вьетнам', 'Вʼєтнам', 'Viet Nam', '{}', 200, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'IN', 'Индия', 'Індія', 'India', '{}', 210, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'AF', 'Афганистан', 'Афганістан', 'Afghanistan', '{}', 220, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'SY', 'Сирия', 'Сирія', 'Syria', '{}', 230, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('citizenship', 'XX', 'Лицо без гражданства', 'Особа без громадянства', 'Stateless person', '{}', 240, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('education_level', 'preschool', 'Дошкольное образование', 'Дошкільна освіта', 'Preschool education', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ru_primary', 'Начальное общее образование', 'Початкова загальна освіта (РФ)', 'Primary general education (Russia)', '{"abbr":"НОО","country":"RU"}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ru_basic', 'Основное общее образование', 'Основна загальна освіта (РФ)', 'Basic general education (Russia)', '{"abbr":"ООО","country":"RU"}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ru_secondary', 'Среднее общее образование', 'Середня загальна освіта (РФ)', 'Secondary general education (Russia)', '{"abbr":"СОО","country":"RU"}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ua_primary', 'Начальное образование (Украина)', 'Початкова освіта', 'Primary education (Ukraine)', '{"country":"UA"}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ua_basic', 'Базовое среднее образование (Украина)', 'Базова середня освіта', 'Basic secondary education (Ukraine)', '{"country":"UA"}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'ua_profile', 'Профильное среднее образование (Украина)', 'Профільна середня освіта', 'Specialised secondary education (Ukraine)', '{"country":"UA"}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('education_level', 'additional', 'Дополнительное образование', 'Позашкільна освіта', 'Additional education', '{}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('form_of_study', 'full_time', 'Очная', 'Очна (денна)', 'Full-time', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('form_of_study', 'part_time', 'Очно-заочная', 'Очно-заочна (вечірня)', 'Part-time', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('form_of_study', 'extramural', 'Заочная', 'Заочна', 'Extramural', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('form_of_study', 'family', 'Семейное образование', 'Сімейна (домашня) освіта', 'Family education', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('form_of_study', 'self_education', 'Самообразование', 'Самоосвіта', 'Self-education', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('form_of_study', 'home', 'Обучение на дому', 'Навчання вдома', 'Home schooling', '{}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('health_group', 'I', 'I группа здоровья', 'I група здоровʼя', 'Health group I', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('health_group', 'II', 'II группа здоровья', 'II група здоровʼя', 'Health group II', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('health_group', 'III', 'III группа здоровья', 'III група здоровʼя', 'Health group III', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('health_group', 'IV', 'IV группа здоровья', 'IV група здоровʼя', 'Health group IV', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('health_group', 'V', 'V группа здоровья', 'V група здоровʼя', 'Health group V', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('pe_group', 'main', 'Основная', 'Основна', 'Main', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('pe_group', 'preparatory', 'Подготовительная', 'Підготовча', 'Preparatory', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('pe_group', 'special_a', 'Специальная «А»', 'Спеціальна «А»', 'Special A', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('pe_group', 'special_b', 'Специальная «Б»', 'Спеціальна «Б»', 'Special B', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('pe_group', 'exempt', 'Освобождён от занятий', 'Звільнений від занять', 'Exempt', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('disability_group', 'child', 'Ребёнок-инвалид', 'Дитина з інвалідністю', 'Disabled child', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('disability_group', 'group_1', 'I группа инвалидности', 'I група інвалідності', 'Disability group I', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('disability_group', 'group_2', 'II группа инвалидности', 'II група інвалідності', 'Disability group II', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('disability_group', 'group_3', 'III группа инвалидности', 'III група інвалідності', 'Disability group III', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('achievement_level', 'school', 'Школьный', 'Шкільний', 'School', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_level', 'municipal', 'Муниципальный', 'Муніципальний', 'Municipal', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_level', 'regional', 'Региональный', 'Регіональний', 'Regional', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_level', 'national', 'Всероссийский (национальный)', 'Всеукраїнський (національний)', 'National', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_level', 'international', 'Международный', 'Міжнародний', 'International', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('achievement_result', 'participant', 'Участник', 'Учасник', 'Participant', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_result', 'prize_winner', 'Призёр', 'Призер', 'Prize-winner', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('achievement_result', 'winner', 'Победитель', 'Переможець', 'Winner', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('position', 'director', 'Директор', 'Директор', 'Director', '{}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'deputy_director', 'Заместитель директора', 'Заступник директора', 'Deputy director', '{}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'teacher', 'Учитель', 'Учитель', 'Teacher', '{}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'class_supervisor', 'Классный руководитель', 'Класний керівник', 'Class supervisor', '{}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'psychologist', 'Педагог-психолог', 'Практичний психолог', 'Psychologist', '{}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'social_pedagogue', 'Социальный педагог', 'Соціальний педагог', 'Social pedagogue', '{}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'speech_therapist', 'Учитель-логопед', 'Вчитель-логопед', 'Speech therapist', '{}', 70, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'tutor', 'Тьютор', 'Тьютор', 'Tutor', '{}', 80, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'librarian', 'Библиотекарь', 'Бібліотекар', 'Librarian', '{}', 90, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'medical_worker', 'Медицинский работник', 'Медичний працівник', 'Medical worker', '{}', 100, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'secretary', 'Секретарь', 'Секретар', 'Secretary', '{}', 110, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('position', 'educator', 'Воспитатель', 'Вихователь', 'Educator', '{}', 120, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_history (entry_id, version, name_ru, name_uk, name_en, attrs, sort, active, changed_at, changed_by)
	SELECT id, version, name_ru, name_uk, name_en, attrs, sort, active, updated_at, 'migration' FROM ref_entries;
