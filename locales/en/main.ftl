## Voronka — English texts. Plurals by CLDR: one / other.

command-start = Start

## The prospect's questionnaire

intake-greeting =
    Hello, { $name }! 👋 This is { $company }.
    I'll help you leave a request — it takes less than a minute: { $count } { $count ->
        [one] question
       *[other] questions
    }, and a manager will get in touch.
intake-greeting-after-message =
    Hello, { $name }! This is { $company }. Thank you, your message is saved 👌
    To help a manager get back to you faster, please answer { $count } short { $count ->
        [one] question
       *[other] questions
    }.
intake-question = <i>Question { $number } of { $total }</i>

    <b>{ $text }</b>
intake-text-hint = Type your answer as a message.
intake-phone-hint = Tap “📱 Share my number” below or type your number, e.g. +44 7400 123456.
intake-resume-or-restart = You are in the middle of a request. Shall we carry on where you were or start over?
intake-stale-button = That question is behind us — please answer the current one.
intake-going-back = All right, back to the previous question.
intake-answered = ✓ { $question }: { $answer }
intake-answer-placeholder = Your answer
intake-first-question = This is the first question; there is nothing to go back to.
intake-cancelled = Questionnaire cancelled: nothing was sent. If you change your mind, press /start and we'll begin again.
intake-cancelled-message-kept = All right, we'll skip the questions. Your message has gone to a manager, who will answer here.
intake-error-empty = The answer is empty. Please write a few words.
intake-error-no-words = Please put it in words — a few words are enough.
intake-error-too-long = That answer is too long — please keep it under { $limit } characters. The details can wait for the manager.
intake-error-not-text = I need a text answer here — stickers, photos and voice messages won't do.
intake-error-unknown-option = Please pick one of the options with the buttons below.
intake-error-bad-phone = I couldn't read that number. Please type it in full, e.g. +44 7400 123456, or tap “📱 Share my number”.
intake-error-not-a-number = I need a number, e.g. 150000.
intake-error-out-of-range = That number is out of range, please check it.
intake-done =
    ✅ Thank you! Your request #{ $id } is in.

    { $summary }

    { $when }
    If you want to add anything, just write here — we'll pass it on to the manager.
intake-done-appended =
    ✅ Thank you! We've added this to your request #{ $id } — the manager already knows.

    { $summary }

    You can write here — we'll pass everything on to the manager.
intake-done-archived =
    Thank you, your message is saved.

    { $summary }

    If you need anything else, just write here.
intake-reply-within = A manager will get in touch within { $duration }.
intake-reply-by = A manager will get in touch by { $date } { $time } ({ $zone }).
duration-minutes = { $count } { $count ->
        [one] minute
       *[other] minutes
    }
duration-hours = { $count } { $count ->
        [one] hour
       *[other] hours
    }

btn-back = « Back
btn-cancel = ✖ Cancel
btn-continue = Carry on
btn-start-over = Start over
btn-share-phone = 📱 Share my number
btn-take = ✅ Take it

## The prospect talking to the manager

relay-delivered = Passed on to the manager ✓
relay-edit-delivered = The correction is passed on to the manager ✓
relay-header = 💬 <b>{ $name }</b> · deal #{ $id }
relay-header-edited = ✏️ <b>{ $name }</b> corrected a message · deal #{ $id }

## The deal card

card-title = { $mark } <b>Deal #{ $id }</b> · { $temperature } lead
card-contact = 👤 { $who }
card-phone = 📱 { $phone }
card-no-phone = 📱 no phone given
card-source = 📍 Source: { $source }
card-stage = Stage: <b>{ $stage }</b> ({ $pipeline })
card-taken = ✅ Taken by { $owner }, { $at }
card-assigned = 👤 Owner: { $owner } — not taken yet
card-unsorted = 📥 Unsorted: nobody is assigned
card-take-due = ⏰ Take it by { $at }
source-direct = direct
someone = a colleague
owner-you = you
owner-unknown = staff member id { $id }
temperature-hot = hot
temperature-warm = warm
temperature-cold = cold

notice-new-lead = 🆕 <b>New lead</b> — assigned to you.
notice-lead-taken-over = ↪️ Deal #{ $id } was taken by { $by }. You no longer need to take it.
notice-unsorted-lead = 📥 <b>Deal #{ $id } is waiting unsorted</b>: no manager on duty is free.
notice-request-repeated = 🔁 <b>The client sent a request again</b> — added to the history of deal #{ $id }. What they answered now:

## Taking a lead

take-taken = Deal #{ $id } is yours. Good luck! 🤝
take-already-yours = Deal #{ $id } is already yours.
take-taken-by-other = Deal #{ $id } is already taken by { $other }.
take-assigned-to-other = Deal #{ $id } is assigned to another manager: { $other }.
take-closed = Deal #{ $id } is already closed.
take-not-found = There is no such deal — the card may be out of date.
take-not-allowed = This button is for the sales team.

## Staff

role-admin = admin
role-supervisor = supervisor
role-manager = manager
staff-menu-title = 👋 { $name }, you are on the team: { $roles }.
staff-menu-open-deals = You have { $count } open { $count ->
        [one] deal
       *[other] deals
    }.
staff-menu-duty-on = 🟢 You are on duty: new leads come to you. To step away — /pause.
staff-menu-duty-off = ⏸ You are off duty: new leads do not come to you. To come back — /resume.
staff-menu-unsorted = { $count } { $count ->
        [one] lead is
       *[other] leads are
    } waiting unsorted.
staff-menu-how-leads-come =
    New leads arrive here as a card with a “✅ Take it” button; everything about a deal is done with the buttons on its card.
    /deals — my deals, /find — search by number, phone or name, /unsorted — unsorted leads, /staff — the team.
    /report — reports, /preview — go through the questionnaire as a client sees it.
staff-menu-overseer-help =
    Leads nobody could take and team news come here. Any deal can be opened and worked with the buttons on its card.
    /deals — all open deals, /find — search by number, phone or name, /unsorted — unsorted leads, /staff — the team.
    /report — reports, /preview — go through the questionnaire as a client sees it.
staff-menu-admin-help = /invite manager or /invite supervisor — invite someone with a one-time link.
staff-unknown-message = I didn't get that. Press /start to open the menu.

## General

button-outdated = This button is out of date. Press /start to begin again.
fallback-message = I didn't get that. Press /start to begin.
error-generic = Sorry, something went wrong. Please try again in a minute — nothing you sent is lost.
