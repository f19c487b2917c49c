-- Kinds of state exams whose results the portfolio keeps (seed 001 stage 3):
-- the Russian ОГЭ (grade 9), ЕГЭ (grade 11) and ГВЭ (the other form of the
-- state final attestation, ГИА), and the Ukrainian ЗНО, НМТ and ДПА.
-- max_score is the usual top of the scale; a result may state its own.
INSERT INTO ref_entries (directory, code, name_ru, name_uk, name_en, attrs, sort, active, version, updated_at) VALUES
	('exam_kind', 'oge', 'ОГЭ', 'ОДІ (Росія, 9 клас)', 'OGE (Russia, grade 9)', '{"country":"RU"}', 10, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('exam_kind', 'ege', 'ЕГЭ', 'ЄДІ (Росія, 11 клас)', 'EGE (Russia, grade 11)', '{"country":"RU","max_score":100}', 20, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('exam_kind', 'gve', 'ГВЭ (ГИА в иной форме)', 'ДВІ (Росія)', 'GVE (Russia, state final attestation in another form)', '{"country":"RU"}', 30, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('exam_kind', 'zno', 'ВНО (Украина)', 'ЗНО', 'ZNO (Ukraine)', '{"country":"UA","max_score":200}', 40, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('exam_kind', 'nmt', 'НМТ (Украина)', 'НМТ', 'NMT (Ukraine)', '{"country":"UA","max_score":200}', 50, TRUE, 1, '2025-09-01 00:00:00+00:00'),
	('exam_kind', 'dpa', 'ГИА (Украина)', 'ДПА', 'DPA (Ukraine)', '{"country":"UA","max_score":12}', 60, TRUE, 1, '2025-09-01 00:00:00+00:00');
INSERT INTO ref_history (entry_id, version, name_ru, name_uk, name_en, attrs, sort, active, changed_at, changed_by)
	SELECT id, version, name_ru, name_uk, name_en, attrs, sort, active, updated_at, 'migration' FROM ref_entries WHERE directory = 'exam_kind';
