## Команда и списки сделок: /deals, /find, /unsorted, /pause, /resume, /invite, /staff

command-deals = Мои сделки
command-find = Найти сделку по номеру, телефону или имени
command-unsorted = Неразобранные заявки
command-pause = Уйти со смены: новые заявки не приходят
command-resume = Вернуться на смену
command-invite = Пригласить сотрудника (для администратора)
command-staff = Команда: роли, смены, нагрузка

lists-not-staff = Эта команда — для сотрудников отдела продаж.
list-page = стр. { $page } из { $pages }
list-btn-prev = ◀ Назад
list-btn-next = Дальше ▶
list-outdated = Эта страница списка устарела. Откройте список заново: { $command }
list-btn-open = №{ $id } · { $name }
list-btn-open-overdue = ⏰ №{ $id } · { $name }
list-btn-take = ✅ Взять №{ $id }
list-no-name = без имени
list-ids-more = и ещё { $count }
deal-number = №{ $id }

## /deals

deals-title-own = 📋 <b>Ваши открытые сделки</b>: { $count }
deals-title-all = 📋 <b>Все открытые сделки</b>: { $count }
deals-empty-own = У вас нет открытых сделок. Новые заявки придут сюда карточкой с кнопкой «✅ Взять в работу».
deals-empty-all = Открытых сделок нет.
deals-group-overdue = ⏰ <b>Просрочен следующий контакт</b> ({ $count })
deals-group-stage = <b>{ $stage }</b> · { $pipeline } ({ $count })
deals-item-overdue = ⏰ контакт был { $at }
deals-item-next-contact = 📅 контакт { $at }
deals-item-not-taken = не взята в работу
deals-item-unsorted = 📥 неразобранное
deals-item-manager = 👤 { $name }
deals-hint = Нажмите на сделку, чтобы открыть карточку.

## /unsorted

unsorted-title = 📥 <b>Неразобранное</b>: { $count } { $count ->
        [one] заявка
        [few] заявки
       *[many] заявок
    }
unsorted-empty = 📥 В неразобранном пусто — все заявки разобраны 👌
unsorted-item-since = ждёт с { $at }
unsorted-item-due = взять до { $at }
unsorted-hint = Нажмите «✅ Взять», чтобы стать ответственным за заявку.
unsorted-hidden = Неразобранное видят только руководители. Новые заявки придут вам сами, пока вы на смене.

## /find

find-usage =
    🔎 Напишите после команды, что искать:
    /find 12 — по номеру сделки
    /find +7 916 123-45-67 — по телефону
    /find Анна — по имени или @username
find-too-short = Слишком короткий запрос: напишите хотя бы 2 буквы имени, номер сделки или телефон.
find-bad-phone = «{ $query }» не похоже ни на номер сделки, ни на полный телефон. Напишите телефон целиком, например +7 916 123-45-67.
find-not-found-number = Сделка №{ $id } не найдена.
find-not-found-phone = По телефону { $phone } сделок не найдено.
find-not-found-name = По запросу «{ $query }» ничего не найдено.
find-only-own = Поиск идёт только по вашим сделкам.
find-title = 🔎 Найдено: { $count } { $count ->
        [one] сделка
        [few] сделки
       *[many] сделок
    }
find-more = Показаны первые { $count } — уточните запрос, если нужной сделки среди них нет.

## Смена: /pause, /resume

duty-paused =
    ⏸ Вы ушли со смены: новые заявки вам больше не приходят.
    Ваши сделки, сообщения клиентов и напоминания по-прежнему приходят. /resume — вернуться на смену.
duty-already-paused = Вы и так не на смене: новые заявки вам не приходят. /resume — вернуться на смену.
duty-resumed = 🟢 Вы снова на смене: новые заявки будут приходить вам.
duty-already-on = Вы и так на смене: новые заявки приходят вам. /pause — уйти со смены.
duty-nobody-left = ⚠️ На смене не осталось ни одного менеджера: новые заявки будут ждать в неразобранном, руководители получат уведомления.
duty-colleagues-left = На смене { $count } { $count ->
        [one] менеджер
        [few] менеджера
       *[many] менеджеров
    } — новые заявки пойдут { $count ->
        [one] ему
       *[other] им
    }.
duty-not-manager = Смена бывает только у менеджеров: заявки распределяются между ними. Вам новые заявки и так не приходят.

## Приглашения: /invite и ссылка

invite-usage =
    Кого пригласить? Напишите:
    /invite manager — менеджера
    /invite supervisor — руководителя
invite-not-allowed = Приглашать в команду может только администратор.
invite-admin-role = Администраторов по ссылке не приглашают: их id указывают в ADMIN_IDS в настройках бота.
invite-created =
    🔗 Приглашение в команду — роль «{ $role }»:

    { $link }

    Перешлите ссылку сотруднику. Она сработает один раз и действует 24 часа — до { $until }.
invite-joined = 🎉 Добро пожаловать в команду, { $name }! Ваша роль: { $role }.
invite-joined-manager =
    Новые заявки будут приходить сюда карточкой с кнопкой «✅ Взять в работу».
    /deals — ваши сделки, /find — поиск, /pause — уйти со смены. Меню — /start.
invite-joined-supervisor =
    Вы видите все сделки и получаете уведомления о неразобранных заявках и просрочках.
    /deals — все сделки, /unsorted — неразобранное, /staff — команда. Меню — /start.
invite-already-member = Вы уже в команде: { $role }. Ссылку я не использовал — она ещё сработает для того, кому предназначена.
invite-unknown = Такое приглашение не найдено. Попросите администратора прислать новую ссылку.
invite-used = Эта ссылка-приглашение уже использована: она срабатывает только один раз. Попросите администратора прислать новую.
invite-used-by-you = Вы уже присоединились к команде по этой ссылке. Меню — /start.
invite-expired = Срок действия ссылки истёк: приглашение действует 24 часа. Попросите администратора прислать новую.

## Команда: /staff

team-title = 👥 <b>Команда</b>: { $count } { $count ->
        [one] человек
        [few] человека
       *[many] человек
    }
team-unsorted = 📥 В неразобранном: { $count } { $count ->
        [one] заявка
        [few] заявки
       *[many] заявок
    }
team-member-you = (вы)
team-member-on-duty = 🟢 на смене
team-member-off-duty = ⏸ не на смене
team-member-load = { $count } { $count ->
        [one] открытая сделка
        [few] открытые сделки
       *[many] открытых сделок
    }
team-pinned-legend = 📌 — указан в настройках бота (ADMIN_IDS, SUPERVISOR_IDS, MANAGER_IDS): убрать из команды можно только там.
team-not-staff = Список команды доступен только сотрудникам.
team-btn-remove = ✖ Удалить: { $name }
team-btn-confirm = Да, удалить
team-btn-cancel = Отмена
team-confirm-remove = Удалить из команды: <b>{ $name }</b>?
team-confirm-no-deals = Открытых сделок нет.
team-confirm-deals = { $count } { $count ->
        [one] открытая сделка вернётся
        [few] открытые сделки вернутся
       *[many] открытых сделок вернётся
    } в неразобранное, руководители получат уведомление.
team-removed = ✅ { $name } больше не в команде.
team-removed-no-deals = Открытых сделок не было.
team-removed-deals = { $count } { $count ->
        [one] сделка вернулась
        [few] сделки вернулись
       *[many] сделок вернулось
    } в неразобранное: { $ids }. /unsorted — разобрать.
team-remove-not-allowed = Удалять из команды может только администратор.
team-remove-self = Себя удалить из команды нельзя.
team-remove-not-found = Этого человека уже нет в команде.
team-remove-pinned = { $name }: этот сотрудник указан в переменной окружения (ADMIN_IDS, SUPERVISOR_IDS или MANAGER_IDS) и получит роль снова при перезапуске. Уберите id { $id } оттуда и перезапустите бота.
team-remove-cancelled = Хорошо, никого не удаляем.
team-member-norm = открытых сделок: { $count } / { $norm }
team-btn-norm = ⚖️ Норма: { $name }
team-btn-norm-default = по умолчанию ({ $norm })
team-norm-title = ⚖️ Норма нагрузки: <b>{ $name }</b>
team-norm-own = Сейчас своя норма: { $norm } { $norm ->
        [one] открытая сделка
        [few] открытые сделки
       *[many] открытых сделок
    }.
team-norm-default = Сейчас норма команды по умолчанию: { $norm } { $norm ->
        [one] открытая сделка
        [few] открытые сделки
       *[many] открытых сделок
    }.
team-norm-explain = Пока открытых сделок столько или больше, новые заявки этому менеджеру не распределяются. Сделки, которые уже в работе, остаются на месте. Выберите новую норму:
team-norm-set = Норма для { $name }: { $norm }.
team-norm-set-default = Для { $name } снова действует норма команды: { $norm }.
team-norm-not-allowed = Менять норму нагрузки может только администратор.
team-norm-not-found = Этого человека уже нет в команде.
team-norm-not-manager = { $name } — не менеджер: норма нужна только тем, кому распределяются заявки.
team-norm-out-of-range = Норма должна быть от 1 до 500 открытых сделок.

## Уведомления о команде

notice-invite-used = ✅ { $name } теперь в команде по вашему приглашению: { $role }.
notice-staff-removed = 👋 { $name } больше не в команде.
notice-you-were-removed = Вас убрали из команды «{ $company }»: заявки и сделки вам больше не приходят. Если это ошибка — напишите администратору.
