# /report and /export: the menu of reports, the period and filters (README.md, "Reports").
command-report = Отчёты: воронка, отказы, менеджеры, каналы
command-export = Выгрузить отчёты в Excel и CSV

report-not-staff = Отчёты — для сотрудников отдела продаж.
report-button-outdated = Эта кнопка устарела. Откройте отчёты заново: /report
report-menu-title = 📊 <b>Отчёты</b>
report-menu-hint = Выберите отчёт. Период и фильтры меняются кнопками ниже.
report-export-hint = Выберите период и фильтры и нажмите «📥 Выгрузить в Excel».
report-own-only = Только ваши сделки.
report-period-line = Период: { $period }
report-filters-line = Фильтры: { $filters }
report-period-named = { $name } ({ $days })

report-name-funnel = Воронка
report-name-losses = Причины отказов
report-name-managers = Менеджеры
report-name-channels = Каналы и источники

report-period-today = Сегодня
report-period-7d = 7 дней
report-period-30d = 30 дней
report-period-month = Этот месяц
report-period-last-month = Прошлый месяц

report-all-pipelines = Все воронки
report-all-managers = Все менеджеры
report-all-channels = Все каналы
report-all-sources = Все источники

report-pick-period = За какой период?
report-pick-pipeline = Какая воронка?
report-pick-manager = Чьи сделки?
report-pick-channel = Какой канал?
report-pick-source = Какой источник?

report-btn-type = ✍️ Ввести даты
report-btn-back = ◀ Назад
report-btn-cancel-typing = ✖️ Отмена
report-btn-export = 📥 Выгрузить в Excel

report-type-range =
    Напишите период одним сообщением, например:
    01.10–15.10
    с 1 по 15 октября
    1.10.2026 - 31.10.2026
report-range-bad =
    Не получилось понять период. Напишите начало и конец через дефис или «по», например «01.10–15.10» или «с 1 по 15 октября». Даты — не позже сегодняшней, не больше трёх лет.
    Передумали — нажмите «✖️ Отмена» над этим сообщением.

report-export-wait = Готовлю файлы…
report-export-preparing = ⏳ Готовлю выгрузку — за большой период это может занять до минуты.
report-export-title = 📥 <b>Выгрузка отчётов</b>
report-export-csv = В XLSX — лист на каждый отчёт, сделки и журнал событий; те же таблицы — в файлах CSV.
report-export-split = Таблица больше 50 МБ, которые Telegram пропускает за раз, поэтому она разделена на { $parts } { $parts ->
    [one] часть
    [few] части
   *[many] частей
}.
