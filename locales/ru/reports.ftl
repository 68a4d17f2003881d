# Report pictures, captions and the spreadsheet export (README.md, "Reports → Pictures and export").
chart-no-data = Нет данных за этот период

## The funnel
chart-funnel-heading = Воронка
chart-funnel-title = { $pipeline }: { $deals } { $deals ->
    [one] сделка
    [few] сделки
   *[many] сделок
}
    конверсия { $overall }
chart-funnel-won = Успешно
chart-funnel-median = Справа — медиана времени в стадии.
chart-funnel-counting = Считаем как воронка «с конверсией» в Битрикс24: сделка, дошедшая до дальней стадии или перепрыгнувшая стадию, учтена во всех предыдущих.
chart-funnel-worst = Больше всего сделок теряем после стадии «{ $stage }» (красная полоса).
chart-q-heading = Анкета до первой стадии
chart-q-started = Начали анкету
chart-q-question = Вопрос { $number }
chart-q-finished = Закончили
chart-q-target = Целевые

## Loss reasons
chart-losses-heading = Причины отказов: { $count }
chart-losses-limit = допустимая доля
chart-losses-small-sample = Отказов меньше { $count } — выводы о долях делать рано, лимиты не проверяем.
chart-losses-over = «{ $reason }»: { $share } при допустимых { $limit }.
chart-losses-runs = { $count ->
    [one] У { $count } менеджера
   *[other] У { $count } менеджеров
} несколько отказов подряд по одной причине — подробности в подписи.
chart-losses-clients = { $count ->
    [one] { $count } клиент потерян
    [few] { $count } клиента потеряны
   *[many] { $count } клиентов потеряны
} дважды по одной причине.

## Managers
chart-managers-heading = Менеджеры
chart-managers-col-name = Менеджер
chart-managers-col-received = Лиды
chart-managers-col-take = Взял
    в работу
chart-managers-col-reply = Первый
    ответ
chart-managers-col-load = В работе
    / норма
chart-managers-col-overdue = Просроч.
    контакты
chart-managers-col-breaches = Сорвано
    сроков
chart-managers-col-closed = Успех
    / отказ
chart-managers-col-conversion = Конверсия
chart-managers-col-amount = Сумма
    успешных
chart-managers-col-average = Средняя
    сделка
chart-managers-legend = Время — рабочее: сверху медиана, снизу 90-й перцентиль. Красным — больше сделок, чем норма; оранжевым — просроченные контакты и сорванные сроки.

## Channels and sources
chart-channels-heading = Каналы и источники
chart-channels-leads = лиды
chart-channels-won-legend = успешные
chart-channels-won = { $count ->
    [one] { $count } успешная
    [few] { $count } успешных
   *[many] { $count } успешных
}
chart-channels-cpl = { $cost } за лид
chart-channels-no-spend = Стоимость лида — только для источников, у которых в настройках указан расход за месяц.

## Captions: the key numbers as text under each picture (HTML)
caption-more = … и ещё { $count ->
    [one] { $count } строка
    [few] { $count } строки
   *[many] { $count } строк
} — в выгрузке /export
caption-funnel = <b>{ $pipeline }</b>: { $deals } { $deals ->
    [one] сделка
    [few] сделки
   *[many] сделок
}, успешно { $won }, отказ { $lost }, в работе { $open }; конверсия { $overall }
caption-funnel-worst = Больше всего теряем после стадии «{ $stage }».
caption-funnel-times = Медиана времени в стадии: { $times }
caption-questionnaire = <b>Анкета</b>: начали { $started }, закончили { $finished }, целевых { $target }
caption-funnel-counting = <i>Сделка, дошедшая до дальней стадии, учтена во всех предыдущих (как воронка «с конверсией» в Битрикс24).</i>
caption-losses = <b>Отказов за период: { $count }</b>
caption-losses-over = ⚠️ «{ $reason }» — { $share }, выше допустимых { $limit }
caption-losses-small-sample = Отказов меньше { $count }: лимиты долей не проверяем.
caption-losses-run = ⚠️ { $manager }: { $count } { $count ->
    [one] отказ
    [few] отказа
   *[many] отказов
} подряд по причине «{ $reason }»
caption-losses-client = ⚠️ Клиент потерян { $count } { $count ->
    [one] раз
    [few] раза
   *[many] раз
} по причине «{ $reason }»: { $deals }
caption-losses-other = «Другое», №{ $id }: { $text }
caption-losses-other-more = … и ещё { $count ->
    [one] { $count } ответ
    [few] { $count } ответа
   *[many] { $count } ответов
} «Другое» — в выгрузке /export
caption-losses-by-manager = <b>Главная причина у менеджеров</b>: { $tops }
caption-losses-by-pipeline = <b>Главная причина по воронкам</b>: { $tops }
caption-losses-reason = • { $reason }: { $share } ({ $count })
caption-manager = <b>{ $name }</b>: лидов { $received }, взял за { $take }, ответил за { $reply } (медианы); в работе { $open } из { $norm }; успешно { $won }, отказ { $lost }, конверсия { $conversion }, сумма { $amount }
caption-manager-overloaded = ⚠️ больше нормы
caption-manager-overdue = просрочено контактов: { $count }
caption-manager-breaches = сорвано сроков: { $count }
caption-channel = <b>{ $name }</b>: обращений { $inquiries }, лидов { $leads }, успешно { $won } ({ $conversion }), нецелевых { $non_target }
caption-channel-cpl = { $cost } за лид
caption-channel-cpw = { $cost } за успешную сделку

## The spreadsheet export: sheets, columns and values
sheet-funnel = Воронка
sheet-losses = Отказы
sheet-managers = Менеджеры
sheet-channels = Каналы
sheet-deals = Сделки
sheet-events = События
sheet-questionnaire = Анкета
sheet-lost = Отказ
sheet-open = В работе
sheet-overall = Всего сделок (конверсия в успех)
sheet-all = Все
sheet-yes = да
sheet-no = нет
sheet-status-open = в работе
sheet-status-won = успешно
sheet-status-lost = отказ
sheet-col-pipeline = Воронка
sheet-col-step = Этап
sheet-col-count = Количество
sheet-col-conversion = Конверсия
sheet-col-average = Среднее время, ч:мм
sheet-col-median = Медиана времени, ч:мм
sheet-col-scope = Срез
sheet-col-reason = Причина отказа
sheet-col-share = Доля
sheet-col-limit = Допустимая доля
sheet-col-over = Выше лимита
sheet-col-manager = Менеджер
sheet-col-take-median = Взятие в работу, медиана, ч:мм
sheet-col-take-p90 = Взятие в работу, 90-й перцентиль, ч:мм
sheet-col-reply-median = Первый ответ, медиана, ч:мм
sheet-col-reply-p90 = Первый ответ, 90-й перцентиль, ч:мм
sheet-col-open = Открытых сделок
sheet-col-norm = Норма
sheet-col-overdue = Просроченных контактов
sheet-col-breaches = Сорванных сроков
sheet-col-won = Успешных
sheet-col-lost = Отказов
sheet-col-amount-won = Сумма успешных
sheet-col-average-deal = Средняя сделка
sheet-col-channel = Канал
sheet-col-source = Источник
sheet-col-inquiries = Обращений
sheet-col-finished = Закончили анкету
sheet-col-leads = Лидов
sheet-col-non-target = Нецелевых
sheet-col-non-target-share = Доля нецелевых
sheet-col-spend = Расход за период
sheet-col-cost-per-lead = Цена лида
sheet-col-cost-per-won = Цена успешной сделки
sheet-col-deal = Сделка №
sheet-col-created = Создана
sheet-col-stage = Стадия
sheet-col-status = Статус
sheet-col-temperature = Температура
sheet-col-target = Целевой
sheet-col-client = Клиент
sheet-col-phone = Телефон
sheet-col-username = Telegram
sheet-col-email = Эл. почта
sheet-col-assigned = Назначена
sheet-col-taken = Взята в работу
sheet-col-first-reply = Первый ответ
sheet-col-take-work = До взятия (рабочее), ч:мм
sheet-col-reply-work = До ответа (рабочее), ч:мм
sheet-col-closed = Закрыта
sheet-col-loss-note = Комментарий к отказу
sheet-col-amount = Сумма
sheet-col-next-contact = Следующий контакт
sheet-col-event = Событие №
sheet-col-at = Когда
sheet-col-kind = Что произошло
sheet-col-actor = Кто (id)
sheet-col-details = Подробности
sheet-event-created = создана
sheet-event-request-repeated = повторная заявка
sheet-event-assigned = назначена менеджеру
sheet-event-queued = в общей очереди
sheet-event-taken = взята в работу
sheet-event-archived = в архиве (нецелевая)
sheet-event-message-in = сообщение клиента
sheet-event-message-out = ответ клиенту
sheet-event-stage-changed = смена стадии
sheet-event-note = заметка
sheet-event-next-contact-set = запланирован контакт
sheet-event-won = успешно
sheet-event-lost = отказ
sheet-event-rewarmed = передана на повторный прогрев
sheet-event-reassigned = передана другому менеджеру
sheet-event-unassigned = возвращена в очередь
sheet-event-contact-done = контакт состоялся
sheet-event-deadline-missed = сорван срок
sheet-event-reopened = клиент вернулся: новая сделка
sheet-event-questionnaire-finished = анкета дозаполнена
sheet-event-contacts-merged = контакты объединены
