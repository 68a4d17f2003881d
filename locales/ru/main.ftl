## Voronka — тексты на русском. Плюрализация по правилам CLDR: one / few / many.

command-start = Начать

## Анкета клиента

intake-greeting =
    Здравствуйте, { $name }! 👋 Это { $company }.
    Я помогу оставить заявку — это займёт меньше минуты: { $count } { $count ->
        [one] вопрос
        [few] вопроса
       *[many] вопросов
    }, и менеджер свяжется с вами.
intake-greeting-after-message =
    Здравствуйте, { $name }! Это { $company }. Спасибо, ваше сообщение сохранено 👌
    Чтобы менеджер помог быстрее, ответьте, пожалуйста, на { $count } { $count ->
        [one] короткий вопрос
        [few] коротких вопроса
       *[many] коротких вопросов
    }.
intake-question = <i>Вопрос { $number } из { $total }</i>

    <b>{ $text }</b>
intake-text-hint = Напишите ответ сообщением.
intake-phone-hint = Нажмите «📱 Отправить мой номер» внизу или напишите номер, например +7 900 123-45-67.
intake-resume-or-restart = Вы как раз заполняете заявку. Продолжим с того же места или начнём заново?
intake-stale-button = Этот вопрос уже позади — ответьте, пожалуйста, на текущий.
intake-going-back = Хорошо, вернёмся к предыдущему вопросу.
intake-answered = ✓ { $question }: { $answer }
intake-answer-placeholder = Ваш ответ
intake-first-question = Это первый вопрос, назад некуда.
intake-cancelled = Анкета отменена — ничего не отправлено. Если передумаете, нажмите /start, и начнём заново.
intake-cancelled-message-kept = Хорошо, вопросы пропустим. Ваше сообщение передано менеджеру — он ответит здесь.
intake-error-empty = Ответ пустой. Напишите, пожалуйста, пару слов.
intake-error-no-words = Напишите, пожалуйста, словами — хотя бы пару слов.
intake-error-too-long = Слишком длинный ответ — уложитесь, пожалуйста, в { $limit } символов. Подробности можно будет обсудить с менеджером.
intake-error-not-text = Я жду ответ текстом — стикеры, фото и голосовые здесь не подойдут.
intake-error-unknown-option = Выберите, пожалуйста, один из вариантов кнопкой ниже.
intake-error-bad-phone = Не получилось распознать номер. Напишите его полностью, например +7 900 123-45-67, или нажмите «📱 Отправить мой номер».
intake-error-not-a-number = Нужно число, например 150000.
intake-error-out-of-range = Это число вне допустимых пределов, проверьте, пожалуйста.
intake-done =
    ✅ Спасибо! Ваша заявка №{ $id } принята.

    { $summary }

    { $when }
    Если захотите что-то добавить — просто напишите сюда, всё передадим менеджеру.
intake-done-appended =
    ✅ Спасибо! Мы добавили это к вашей заявке №{ $id } — менеджер уже в курсе.

    { $summary }

    Можно писать сюда — всё передадим менеджеру.
intake-done-archived =
    Спасибо, ваше обращение сохранено.

    { $summary }

    Если понадобится что-то ещё — просто напишите сюда.
intake-reply-within = Менеджер свяжется с вами в течение { $duration }.
intake-reply-by = Менеджер свяжется с вами не позже { $date } { $time } ({ $zone }).
duration-minutes = { $count } { $count ->
        [one] минуты
       *[other] минут
    }
duration-hours = { $count } { $count ->
        [one] часа
       *[other] часов
    }

btn-back = « Назад
btn-cancel = ✖ Отмена
btn-continue = Продолжить
btn-start-over = Начать заново
btn-share-phone = 📱 Отправить мой номер
btn-take = ✅ Взять в работу

## Переписка клиента с менеджером

relay-delivered = Передали менеджеру ✓
relay-edit-delivered = Исправление передали менеджеру ✓
relay-header = 💬 <b>{ $name }</b> · сделка №{ $id }
relay-header-edited = ✏️ <b>{ $name }</b>: исправленное сообщение · сделка №{ $id }

## Карточка сделки

card-title = { $mark } <b>Сделка №{ $id }</b> · { $temperature } клиент
card-contact = 👤 { $who }
card-phone = 📱 { $phone }
card-no-phone = 📱 телефон не указан
card-source = 📍 Источник: { $source }
card-stage = Этап: <b>{ $stage }</b> ({ $pipeline })
card-taken = ✅ В работе: { $owner }, с { $at }
card-assigned = 👤 Ответственный: { $owner } (ещё не в работе)
card-unsorted = 📥 Неразобранное: ответственный не назначен
card-take-due = ⏰ Взять в работу до { $at }
source-direct = напрямую
someone = коллега
owner-you = вы
owner-unknown = сотрудник id { $id }
temperature-hot = горячий
temperature-warm = тёплый
temperature-cold = холодный

notice-new-lead = 🆕 <b>Новая заявка</b> — назначена на вас.
notice-lead-taken-over = ↪️ Сделку №{ $id } взяли в работу: { $by }. Вам её больше не нужно брать.
notice-unsorted-lead = 📥 <b>Сделка №{ $id } ждёт в неразобранном</b>: нет свободных менеджеров на смене.
notice-request-repeated = 🔁 <b>Клиент снова оставил заявку</b> — добавлено в историю сделки №{ $id }. Что он ответил сейчас:

## Взять в работу

take-taken = Сделка №{ $id } ваша. Удачи! 🤝
take-already-yours = Сделка №{ $id } уже у вас в работе.
take-taken-by-other = Сделка №{ $id } уже в работе: { $other }.
take-assigned-to-other = Сделка №{ $id } назначена другому менеджеру: { $other }.
take-closed = Сделка №{ $id } уже закрыта.
take-not-found = Такой сделки нет — возможно, карточка устарела.
take-not-allowed = Эта кнопка — для сотрудников отдела продаж.

## Сотрудники

role-admin = администратор
role-supervisor = руководитель
role-manager = менеджер
staff-menu-title = 👋 { $name }, вы в команде: { $roles }.
staff-menu-open-deals = У вас { $count } { $count ->
        [one] открытая сделка
        [few] открытые сделки
       *[many] открытых сделок
    }.
staff-menu-duty-on = 🟢 Вы на смене: новые заявки приходят вам. Уйти со смены — /pause.
staff-menu-duty-off = ⏸ Вы не на смене: новые заявки вам не приходят. Вернуться — /resume.
staff-menu-unsorted = В неразобранном { $count } { $count ->
        [one] заявка
        [few] заявки
       *[many] заявок
    }.
staff-menu-how-leads-come =
    Новые заявки приходят сюда карточкой с кнопкой «✅ Взять в работу»; всё по сделке делается кнопками на её карточке.
    /deals — мои сделки, /find — поиск по номеру, телефону или имени, /unsorted — неразобранные заявки, /staff — команда.
    /report — отчёты, /preview — пройти анкету так, как её видит клиент.
staff-menu-overseer-help =
    Сюда приходят заявки, которые некому взять, и новости команды. Любую сделку можно открыть и вести кнопками на её карточке.
    /deals — все открытые сделки, /find — поиск по номеру, телефону или имени, /unsorted — неразобранные заявки, /staff — команда.
    /report — отчёты, /preview — пройти анкету так, как её видит клиент.
staff-menu-admin-help = /invite manager или /invite supervisor — пригласить сотрудника по одноразовой ссылке.
staff-unknown-message = Не понял. Нажмите /start, чтобы открыть меню.

## Общее

button-outdated = Эта кнопка устарела. Нажмите /start, чтобы начать сначала.
fallback-message = Не понял. Нажмите /start, чтобы начать.
error-generic = Извините, что-то пошло не так. Попробуйте ещё раз через минуту — ваши данные не потеряны.
