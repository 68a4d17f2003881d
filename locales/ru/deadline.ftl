# Reminders, deadline alerts, the daily digest, people who blocked the bot.

alert-late = ⏳ <i>С опозданием: бот был недоступен, срок был { $due }.</i>
alert-contact-reminder = 📞 <b>Пора связаться с клиентом</b> · сделка №{ $id }, контакт на { $due }
alert-client-back = ♻️ Клиент снова в работе: открыта сделка в воронке «{ $pipeline }» (прежняя — №{ $old }).
alert-contact-overdue = 🔴 <b>Контакт просрочен</b> · сделка №{ $id }: был назначен на { $due }, прошло { $late }. Отметьте, что связались, или перенесите.
alert-contact-escalated = 🚨 <b>Клиент ждёт звонка</b> · сделка №{ $id }: менеджер { $manager } не связался, контакт был на { $due } (прошло { $late }).
alert-take-overdue = 🚨 <b>Заявку №{ $id } никто не взял в работу</b> — ждёт { $waiting }. Кому передать?
alert-take-overdue-assigned = 🚨 <b>Заявку №{ $id } не взяли в работу</b> — ждёт { $waiting }, назначена: { $manager }. Передать другому?
alert-take-reminder = ⏰ <b>Вы ещё не взяли заявку №{ $id }</b> — клиент ждёт { $waiting }. Руководитель уже в курсе.
alert-take-reminder-test = ⏰ <b>Вы ещё не взяли тестовую заявку №{ $id }</b> — она ждёт { $waiting }. Кроме вас, о ней никому не сообщаем.
alert-stage-overdue = ⏰ <b>Сделка №{ $id } задержалась на этапе «{ $stage }»</b>: срок { $limit }{ $counted ->
        [working] { " " }рабочего времени
       *[always] {""}
    }, на этапе с { $since }. Ответственный: { $manager }.

btn-contact-done = ✅ Связался
btn-remind-1h = ⏰ Через час
btn-remind-tmr = 📅 Завтра
btn-open-deal = 📂 Открыть сделку
btn-assign-to = 👤 { $name }{ $duty } · { $count } в работе
btn-come-back = 📅 Вернуться к клиенту
card-come-back = 📅 Вернуться к клиенту: { $at } — тогда откроется новая сделка
hint-nc-closed = Когда вернуться к клиенту? Тогда откроется новая сделка.

ask-contact-result = Как прошёл контакт с клиентом { $name }? Напишите коротко результат.
done-contact = ✅ Записал результат.
ask-next-contact-after-done = Когда следующий контакт?
deal-error-no-contact-planned = Этот контакт уже отмечен — запланированного контакта нет.

history-contact-done = ✅ { $actor }: связался с клиентом — { $text }
history-contact-done-by-note = ✅ { $actor }: запланированный контакт состоялся ({ $kind })
history-missed-take = 🚨 Не взята в работу вовремя: срок был { $due }
history-missed-stage = ⏰ Превышен срок этапа «{ $stage }»: срок был { $due }{ $owned ->
        [yes] { " · " }{ $manager }
       *[no] {""}
    }
history-missed-contact = 🔴 Просрочен контакт, назначенный на { $due }{ $owned ->
        [yes] { " · " }{ $manager }
       *[no] {""}
    }
history-reopened = ♻️ Пришло время контакта: клиент вернулся в работу, сделка №{ $id }
history-created-woken = ♻️ Создана по плану контакта из сделки №{ $id } (воронка «{ $pipeline }»)

digest-title = 📊 <b>Сводка за сутки</b> · с { $since }
digest-late = ⏳ <i>С опозданием: бот был недоступен в назначенное время.</i>
digest-new = 🆕 Новых заявок: <b>{ $count }</b>
digest-unsorted = 📥 В неразобранном сейчас: <b>{ $count }</b>
digest-taken-late = 🚨 Не взяты в работу вовремя: <b>{ $count }</b>
digest-case-waiting = ждёт { $span }
digest-case-late = опоздание { $span }
digest-overdue = 🔴 Просроченных контактов: <b>{ $count }</b>
digest-stage = ⏰ Нарушений сроков этапов: <b>{ $count }</b>
digest-won = 🏆 Успешных сделок: <b>{ $count }</b>
digest-won-amount = { " " }на { $amount }
digest-lost = ✖ Отказов: <b>{ $count }</b>
digest-reason = { "  " }· { $reason }: { $count }
digest-case = { "  " }· №{ $id } { $client } · { $manager } · { $value }
digest-case-gone = { "  " }· №{ $id }
digest-nobody = без менеджера
digest-loss-warnings = ⚠️ <b>Отказы: на что обратить внимание</b>
digest-loss-over = { "  " }· «{ $reason }» — { $share } отказов за 30 дней ({ $count } из { $total }), выше порога { $limit }
digest-loss-run = { "  " }· { $manager }: { $count ->
        [one] последний { $count } отказ подряд
        [few] последние { $count } отказа подряд
       *[many] последние { $count } отказов подряд
    } — все «{ $reason }»
digest-client-lost-again = { "  " }· { $client } — { $count } { $count ->
        [one] отказ
        [few] отказа
       *[many] отказов
    } по причине «{ $reason }», последний — №{ $id }

notice-staff-blocked = 🚫 <b>{ $name } заблокировал(а) бота</b> — уведомления и напоминания до него не доходят. Попросите снова открыть бота и нажать «Start».
notice-client-blocked = 🚫 <b>Клиент { $name } заблокировал бота</b> · сделка №{ $id }. Сообщения ему больше не доходят — свяжитесь другим способом.
notice-client-blocked-no-deal = 🚫 <b>Клиент { $name } заблокировал бота</b>. Сообщения ему больше не доходят.

notice-lead-reassigned = 👤 <b>Вам назначена сделка №{ $id }</b> (прежде была назначена: { $old }). Кто назначил: { $by }.
notice-lead-reassigned-away = ↪️ Заявка №{ $id } передана другому менеджеру: { $new }. Кто передал: { $by }. Её больше не нужно брать.
history-reassigned-no-reason = 🔁 { $actor }: заявка передана ({ $old } → { $new })
card-take-overdue = 🔴 Нужно было взять в работу до { $at } — срок прошёл
alert-client-has-deal = 📅 <b>Пришло время вернуться к клиенту</b> (запланировано в сделке №{ $old } на { $due }), но у клиента уже есть открытая сделка №{ $id } — работайте в ней.
deal-error-contact-changed = Этот контакт уже отмечен или перенесён — напоминание устарело. Карточка показывает, что запланировано сейчас.
notice-staff-never-started = ⚠️ <b>{ $name } ещё не открывал(а) бота</b> — уведомления до него не доходят. Попросите открыть бота и нажать «Start».
card-next-contact-due = ⏰ Пора связаться: контакт назначен на { $at }

notice-update-set-aside = ⚠️ <b>Бот не смог обработать { $what }</b> от { $who } (чат { $chat }): три попытки закончились ошибкой. Обновление { $update } отложено в таблице inbox — разработчикам хватит журнала, а человеку бот ответил, что произошёл сбой. Следующие сообщения этого чата обрабатываются как обычно.
update-kind-message = сообщение
update-kind-edited-message = исправленное сообщение
update-kind-callback-query = нажатие кнопки
update-kind-my-chat-member = смену статуса чата
update-sender-unknown = неизвестного отправителя
