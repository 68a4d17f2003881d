## Several notices of one kind for one person, merged into one message (a campaign peak)

merged-late = ⏳ <i>С опозданием: бот не мог отправить это вовремя.</i>
merged-new-lead = 🆕 <b>{ $count } { $count ->
        [one] новая заявка назначена
        [few] новые заявки назначены
       *[many] новых заявок назначены
    } на вас</b>: { $ids }. Возьмите их в работу из списка.
merged-unsorted-lead = 📥 <b>{ $count } { $count ->
        [one] заявка ждёт
        [few] заявки ждут
       *[many] заявок ждут
    } в неразобранном</b>: { $ids }. Нет свободных менеджеров на смене.
merged-take-reminder = ⏰ <b>{ $count } { $count ->
        [one] заявка ждёт
        [few] заявки ждут
       *[many] заявок ждут
    }, когда вы возьмёте их в работу</b>: { $ids }
merged-take-overdue = 🚨 <b>{ $count } { $count ->
        [one] заявку не взяли
        [few] заявки не взяли
       *[many] заявок не взяли
    } в работу вовремя</b>: { $ids }
merged-stage-overdue = ⏰ <b>{ $count } { $count ->
        [one] сделка задержалась
        [few] сделки задержались
       *[many] сделок задержались
    } на своих этапах</b>: { $ids }
merged-contact-overdue = 🔴 <b>{ $count } { $count ->
        [one] контакт просрочен
        [few] контакта просрочены
       *[many] контактов просрочены
    }</b>: { $ids }. Отметьте, что связались, или перенесите.
merged-contact-escalated = 🚨 <b>{ $count } { $count ->
        [one] клиент ждёт
        [few] клиента ждут
       *[many] клиентов ждут
    } звонка</b>: { $ids }. Менеджеры не связались вовремя.
deal-number-range = №{ $first }–№{ $last }
btn-merged-mine = 📋 Открыть сделки
btn-merged-unsorted = 📥 Открыть неразобранное
relay-more = …и ещё { $count } { $count ->
        [one] сообщение
        [few] сообщения
       *[many] сообщений
    } — смотрите историю сделки
relay-slow-down = Вы пишете очень быстро 🙂 Все ваши сообщения сохранены, менеджер увидит каждое. Пожалуйста, отправляйте их чуть реже — так менеджеру будет проще ответить вам по существу.
