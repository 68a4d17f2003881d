## Работа со сделкой: карточка, этапы, закрытие, следующий контакт, заметки, история, передача, ответы клиенту.

card-in-stage-for = {" "}· { $duration } на этапе
span-days = { $count } дн.
span-hours = { $count } ч
span-under-minute = меньше минуты
span-minutes = { $count } мин
card-amount = 💰 Сумма: <b>{ $amount }</b>
card-next-contact = 📅 Следующий контакт: { $at }
card-next-contact-overdue = 🔴 Следующий контакт был назначен на { $at } — просрочен
card-no-next-contact = 📅 Следующий контакт не запланирован
card-lost-reason = Причина отказа: { $reason }
card-history = <b>Последнее в истории:</b>

btn-stages = 📋 Этапы
btn-note = 📝 Заметка
btn-next-contact = 📅 След. контакт
btn-won = 🏆 Успешно
btn-lost = ✖ Отказ
btn-reply = 💬 Ответить
btn-history = 📜 История
btn-hand-over = 🔁 Передать
btn-assign = 👤 Назначить менеджера
btn-rewarm = ♻️ В прогрев
btn-rewarm-1m = Через месяц
btn-rewarm-3m = Через 3 месяца
btn-type-date = ✏️ Ввести дату
btn-nc-1h = Через час
btn-nc-tmr = Завтра в 10:00
btn-nc-3d = Через 3 дня
btn-nc-wk = На следующей неделе
btn-note-call = 📞 Звонок
btn-note-meeting = 🤝 Встреча
btn-note-email = ✉️ Письмо
btn-note-other = 📝 Другое
btn-won-with = ✅ Успешно: { $amount }
btn-other-amount = ✏️ Другая сумма
btn-manager-load = { $name }{ $duty } · { $count } в работе
btn-yes = ✅ Да, верно
btn-earlier = Раньше
btn-later = Позже
btn-open-card = 📇 Карточка сделки

hint-stages = Выберите этап
hint-lost = Выберите причину отказа
hint-nc = Когда связаться с клиентом?
hint-hand = Кому передать сделку?
hint-won = С какой суммой закрыть?
hint-rewarm = Когда вернуться к клиенту?

note-kind-call = звонок
note-kind-meeting = встреча
note-kind-email = письмо
note-kind-other = заметка

ask-stage-amount = Чтобы перевести сделку на этап «{ $stage }», укажите сумму сделки — например, 150 000.
ask-stage-note = Для этапа «{ $stage }» нужен комментарий: коротко напишите, что произошло.
ask-won-amount = 🏆 Поздравляю! Напишите итоговую сумму сделки — например, 150 000.
ask-loss-reason = Напишите причину отказа своими словами — она попадёт в отчёт по причинам отказов.
ask-note = 📝 Напишите заметку — она попадёт в историю сделки. Звонок, встреча или письмо? Отметьте кнопкой ниже, если нужно.
ask-next-contact = Когда связаться с клиентом? Напишите, например: «завтра в 15:00», «25.12 10:30», «через 2 часа».
ask-rewarm-date = Когда вернуться к клиенту? Напишите дату, например: «1 марта» или «через 2 месяца».
ask-reply = Напишите ответ клиенту ({ $name }) — он придёт от имени компании «{ $company }». Можно текст, фото или документ.
ask-handover-reason = Новый ответственный — { $name }. Коротко напишите, почему передаёте сделку: новый ответственный увидит это в карточке.
confirm-next-contact = 📅 Следующий контакт: <b>{ $at }</b>. Всё верно?
confirm-day-off-weekend = ⚠️ Это выходной день.
confirm-day-off-holiday = ⚠️ Это нерабочий праздничный день.
btn-next-working-day = 📅 Перенести на { $day }

input-bad-amount = Не понял сумму. Напишите число, например 150 000 или 1 200 000.
input-need-text = Здесь нужен текст — напишите пару слов.
input-too-long = Слишком длинно: уложитесь, пожалуйста, в { $limit } символов.
input-bad-date = Не понял дату. Попробуйте так: «завтра в 15:00», «25.12 10:30», «через 2 часа».
input-date-past = Это время уже прошло ({ $at }). Укажите время в будущем.
input-date-too-far = Это слишком далеко ({ $at }). Укажите дату в пределах двух лет.
input-cannot-send = Такое сообщение клиенту не переслать. Отправьте текст, фото, документ, видео или голосовое.
input-dropped = ✖ Ввод прерван командой — ничего не отправлено и не изменено.
input-not-pending = Этот вопрос уже неактуален — ответ на него не ждём.
input-cancelled = Отменено, ничего не изменилось.

done-stage = Сделка на этапе «{ $stage }» ✓
done-won = 🏆 Сделка успешно закрыта!
done-lost = Сделка закрыта, причина отказа сохранена.
done-next-contact = Следующий контакт: { $at } ✓
done-note = Заметка сохранена в истории ✓
done-reply = Отправлено клиенту ✓
done-handed-over = Сделка передана ✓
done-rewarmed = Клиент в прогреве: сделка №{ $id }, связаться { $at }.

deal-error-not-found = Такой сделки нет — возможно, карточка устарела.
deal-error-not-allowed = Это не ваша сделка: действовать по ней могут ответственный менеджер и руководитель.
deal-error-stale = Карточка устарела: сделку уже изменили. Показываю актуальную.
deal-error-closed = Сделка уже закрыта.
deal-error-not-taken = Сначала возьмите сделку в работу.
deal-error-same-stage = Сделка уже на этом этапе.
deal-error-unknown-stage = Такого этапа в воронке нет — возможно, карточка устарела.
deal-error-won-from-first = Сделку нельзя закрыть успешно прямо с первого этапа — сначала переведите её дальше по воронке.
deal-error-needs-amount = Для этого этапа нужна сумма сделки.
deal-error-needs-note = Для этого этапа нужен комментарий.
deal-error-unknown-reason = Такой причины отказа нет — выберите из списка.
deal-error-reason-text-required = Для «Другое» напишите причину своими словами.
deal-error-bad-amount = Сумма должна быть больше нуля и не больше триллиона.
deal-error-in-past = Это время уже прошло. Выберите время в будущем.
deal-error-not-lost = В прогрев переводят только сделки с отказом.
deal-error-already-rewarmed = Этот клиент уже в прогреве или был в нём: повторно в прогрев не переводим.
deal-error-has-open-deal = У клиента уже есть открытая сделка в этой воронке.
deal-error-no-chat = Клиент пришёл не через Telegram — написать ему через бота нельзя.
deal-error-bad-target = Этого сотрудника нет среди менеджеров команды.
deal-error-same-owner = Сделка и так у этого менеджера.
deal-error-empty-text = Пустой текст — напишите хотя бы пару слов.
deal-error-too-long = Слишком длинный текст.
deal-no-managers-to-hand = Передать некому: в команде нет других менеджеров.

history-title = 📜 <b>История сделки №{ $id }</b> · стр. { $page } из { $pages }
history-empty = Пока пусто.
history-nobody = —
history-stage = ➡️ { $actor }: этап «{ $old }» → «{ $new }»
history-with-amount = , сумма { $amount }
history-note = { $icon } { $actor }, { $kind }: { $text }
history-next-contact = 📅 { $actor }: следующий контакт { $at }
history-won = 🏆 { $actor }: успешно, { $amount }
history-lost = ✖ { $actor }: отказ — { $reason }
history-rewarmed = ♻️ { $actor }: клиент переведён в прогрев, сделка №{ $id }
history-reassigned = 🔁 { $actor }: сделка передана ({ $old } → { $new }) — { $reason }
history-unassigned = 📥 Возвращена в неразобранное: { $old } больше не в команде
history-message-in = 💬 Клиент: { $text }
history-message-edited = ✏️ Клиент, исправленное сообщение: { $text }
history-message-out = ↩️ { $actor } → клиенту: { $text }
history-created = 🆕 Заявка создана
history-created-from = ♻️ { $actor }: создана из сделки №{ $id } (воронка «{ $pipeline }»)
history-taken = ✅ Взята в работу: { $actor }
history-assigned = 👤 Назначена: { $new }
history-queued = 📥 В неразобранном: не было свободных менеджеров
history-request-repeated = 🔁 Клиент оставил заявку повторно
history-archived = 🗄 В архиве: нецелевое обращение

content-text = [текст]
content-photo = [фото]
content-document = [документ]
content-video = [видео]
content-audio = [аудио]
content-voice = [голосовое]
content-video_note = [видеосообщение]
content-sticker = [стикер]
content-animation = [GIF]
content-contact = [контакт]
content-location = [геопозиция]
content-venue = [место]
content-poll = [опрос]
content-dice = [кубик]

reply-header = 💬 <b>{ $company }</b>
reply-not-linked = Это сообщение не связано со сделкой. Чтобы ответить клиенту, ответьте на его пересланное сообщение или нажмите «💬 Ответить» в карточке.

notice-deal-handed-over = 🔁 <b>Вам передана сделка №{ $id }</b>. Прежний ответственный: { $old }. Кто передал: { $by }. Причина: { $reason }
notice-deal-handed-over-by-owner = 🔁 <b>Вам передана сделка №{ $id }</b>. Прежний ответственный: { $old }. Причина: { $reason }
notice-deal-taken-away = ↪️ Сделка №{ $id } передана другому менеджеру. Новый ответственный: { $new }. Кто передал: { $by }. Причина: { $reason }
notice-rewarm-deal = ♻️ <b>Сделка №{ $id } в прогреве</b> — клиент из сделки №{ $old }.
deal-error-non-target = Это нецелевое обращение — ни прогрева, ни повторного контакта для него не будет.
loss-reason-non-target = нецелевое обращение
card-owner = 👤 Ответственный: { $owner }
card-returning-you = ↩️ Вернувшийся клиент — раньше с ним работали вы
card-returning = ↩️ Вернувшийся клиент — раньше с ним работал(а) { $name }
input-need-amount = Нужна сумма числом — например, 150 000 или «1,2 млн».
input-need-date = Нужна дата словами или цифрами — например, «завтра в 15:00» или «25.12 10:30».
done-assigned = Ответственный назначен: { $name } ✓
notice-deal-assigned = 👤 <b>Вам назначена сделка №{ $id }</b>. Кто назначил: { $by }.
history-assigned-by = 👤 { $actor }: назначен ответственный — { $new }

# The card: where the lead came from, how to reach the client, what intake noticed.
card-origin = 📍 Источник: { $source } · канал: { $channel }
card-email = ✉️ { $email }
card-unfinished = 📝 Анкета заполнена не до конца — клиент ответил не на все вопросы
card-duplicate-phone = ⚠️ Возможный дубль сделки №{ $id }: тот же телефон
card-duplicate-name-digits = ⚠️ Возможный дубль сделки №{ $id }: то же имя и похожий телефон
card-duplicate-merged = 🔗 Контакты объединены: это тот же клиент, что в сделке №{ $id }
card-other-open = 📂 У клиента есть { $count ->
        [1] другая открытая сделка
       *[other] другие открытые сделки
    }: { $ids }
btn-open-twin = 📇 Сделка №{ $id }
btn-merge = 🔗 Объединить контакты
history-questionnaire-finished = 📝 Клиент заполнил анкету до конца

# Merging two contacts that are one person (README.md, "Possible duplicates and merging contacts").
merge-question-title = 🔗 <b>Объединить контакты?</b>
merge-contact = { $name } (контакт #{ $id }): { $details }
merge-question-into = → в { $contact }
merge-question-deals = { $count ->
    [1] Сделка { $ids } перейдёт к контакту «{ $kept }» вместе с историей и перепиской.
   *[other] Сделки { $ids } перейдут к контакту «{ $kept }» вместе с историей и перепиской.
}
merge-question-no-deals = У контакта «{ $merged }» сделок нет.
merge-question-kept = Останется более ранний контакт. «{ $merged }» сохранится в архиве со ссылкой на «{ $kept }» — ничего не удаляется.
btn-merge-yes = ✅ Да, объединить
btn-merge-no = ✖ Нет
done-merged = Контакты объединены ✓
merge-cancelled = Отменено — контакты не объединены.
merge-error-not-allowed = Объединять контакты могут только руководитель и администратор.
merge-error-same-contact = Это один и тот же контакт — объединять нечего.
merge-error-not-found = Такого контакта нет — возможно, кнопка устарела.
merge-error-already-merged = Эти контакты уже объединены.
merge-error-into-merged = Этот контакт уже объединён с другим — объединить с ним нельзя.
history-contacts-merged = 🔗 { $actor }: контакт «{ $merged }» (#{ $merged_id }) объединён с «{ $kept }» (#{ $kept_id })
