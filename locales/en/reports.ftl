# Report pictures, captions and the spreadsheet export (README.md, "Reports → Pictures and export").
chart-no-data = No data for this period

## The funnel
chart-funnel-heading = Funnel
chart-funnel-title = { $pipeline }: { $deals } { $deals ->
    [one] deal
   *[other] deals
}
    conversion { $overall }
chart-funnel-won = Won
chart-funnel-median = On the right: the median time in the stage.
chart-funnel-counting = Counted like Bitrix24's funnel "with conversion": a deal that reached a later stage, or skipped one, counts in every stage before.
chart-funnel-worst = Most deals are lost after the stage "{ $stage }" (the red bar).
chart-q-heading = Questionnaire, before the first stage
chart-q-started = Started
chart-q-question = Question { $number }
chart-q-finished = Finished
chart-q-target = Target

## Loss reasons
chart-losses-heading = Loss reasons: { $count }
chart-losses-limit = allowed share
chart-losses-small-sample = Fewer than { $count } losses: too early to judge the shares, limits are not checked.
chart-losses-over = "{ $reason }": { $share } against the allowed { $limit }.
chart-losses-runs = { $count ->
    [one] { $count } manager has
   *[other] { $count } managers have
} several losses in a row for one reason: see the caption.
chart-losses-clients = { $count ->
    [one] { $count } client was
   *[other] { $count } clients were
} lost twice for the same reason.

## Managers
chart-managers-heading = Managers
chart-managers-col-name = Manager
chart-managers-col-received = Leads
chart-managers-col-take = Time
    to take
chart-managers-col-reply = First
    reply
chart-managers-col-load = Open
    / norm
chart-managers-col-overdue = Overdue
    contacts
chart-managers-col-breaches = Missed
    deadlines
chart-managers-col-closed = Won
    / lost
chart-managers-col-conversion = Conversion
chart-managers-col-amount = Amount
    won
chart-managers-col-average = Average
    deal
chart-managers-legend = Working time: the median on top, the 90th percentile below. Red: more open deals than the norm; orange: overdue contacts and missed deadlines.

## Channels and sources
chart-channels-heading = Channels and sources
chart-channels-leads = leads
chart-channels-won-legend = won
chart-channels-won = { $count } won
chart-channels-cpl = { $cost } per lead
chart-channels-no-spend = Cost per lead: only for sources whose monthly cost is set in the settings.

## Captions: the key numbers as text under each picture (HTML)
caption-more = … and { $count ->
    [one] { $count } more line
   *[other] { $count } more lines
}: see /export
caption-funnel = <b>{ $pipeline }</b>: { $deals } { $deals ->
    [one] deal
   *[other] deals
}, won { $won }, lost { $lost }, open { $open }; conversion { $overall }
caption-funnel-worst = Most are lost after the stage "{ $stage }".
caption-funnel-times = Median time in stage: { $times }
caption-questionnaire = <b>Questionnaire</b>: started { $started }, finished { $finished }, target { $target }
caption-funnel-counting = <i>A deal that reached a later stage counts in every stage before (like Bitrix24's funnel "with conversion").</i>
caption-losses = <b>Losses in the period: { $count }</b>
caption-losses-over = ⚠️ "{ $reason }": { $share }, above the allowed { $limit }
caption-losses-small-sample = Fewer than { $count } losses: share limits are not checked.
caption-losses-run = ⚠️ { $manager }: { $count } losses in a row for "{ $reason }"
caption-losses-client = ⚠️ A client lost { $count } times for "{ $reason }": { $deals }
caption-losses-other = "Other", #{ $id }: { $text }
caption-losses-other-more = … and { $count } more "Other" { $count ->
    [one] answer
   *[other] answers
} in the /export spreadsheet
caption-losses-by-manager = <b>Top reason by manager</b>: { $tops }
caption-losses-by-pipeline = <b>Top reason by pipeline</b>: { $tops }
caption-losses-reason = • { $reason }: { $share } ({ $count })
caption-manager = <b>{ $name }</b>: { $received } leads, took in { $take }, replied in { $reply } (medians); { $open } open of { $norm }; won { $won }, lost { $lost }, conversion { $conversion }, amount { $amount }
caption-manager-overloaded = ⚠️ above the norm
caption-manager-overdue = overdue contacts: { $count }
caption-manager-breaches = missed deadlines: { $count }
caption-channel = <b>{ $name }</b>: { $inquiries } inquiries, { $leads } leads, { $won } won ({ $conversion }), non-target { $non_target }
caption-channel-cpl = { $cost } per lead
caption-channel-cpw = { $cost } per won deal

## The spreadsheet export: sheets, columns and values
sheet-funnel = Funnel
sheet-losses = Losses
sheet-managers = Managers
sheet-channels = Channels
sheet-deals = Deals
sheet-events = Events
sheet-questionnaire = Questionnaire
sheet-lost = Lost
sheet-open = Open
sheet-overall = All deals (conversion to won)
sheet-all = All
sheet-yes = yes
sheet-no = no
sheet-status-open = open
sheet-status-won = won
sheet-status-lost = lost
sheet-col-pipeline = Pipeline
sheet-col-step = Step
sheet-col-count = Count
sheet-col-conversion = Conversion
sheet-col-average = Average time, h:mm
sheet-col-median = Median time, h:mm
sheet-col-scope = Slice
sheet-col-reason = Loss reason
sheet-col-share = Share
sheet-col-limit = Allowed share
sheet-col-over = Above the limit
sheet-col-manager = Manager
sheet-col-take-median = Time to take, median, h:mm
sheet-col-take-p90 = Time to take, 90th percentile, h:mm
sheet-col-reply-median = First reply, median, h:mm
sheet-col-reply-p90 = First reply, 90th percentile, h:mm
sheet-col-open = Open deals
sheet-col-norm = Norm
sheet-col-overdue = Overdue contacts
sheet-col-breaches = Missed deadlines
sheet-col-won = Won
sheet-col-lost = Lost
sheet-col-amount-won = Amount won
sheet-col-average-deal = Average deal
sheet-col-channel = Channel
sheet-col-source = Source
sheet-col-inquiries = Inquiries
sheet-col-finished = Finished questionnaires
sheet-col-leads = Leads
sheet-col-non-target = Non-target
sheet-col-non-target-share = Non-target share
sheet-col-spend = Spend in the period
sheet-col-cost-per-lead = Cost per lead
sheet-col-cost-per-won = Cost per won deal
sheet-col-deal = Deal #
sheet-col-created = Created
sheet-col-stage = Stage
sheet-col-status = Status
sheet-col-temperature = Temperature
sheet-col-target = Target
sheet-col-client = Client
sheet-col-phone = Phone
sheet-col-username = Telegram
sheet-col-email = Email
sheet-col-assigned = Assigned
sheet-col-taken = Taken
sheet-col-first-reply = First reply
sheet-col-take-work = To take (working), h:mm
sheet-col-reply-work = To reply (working), h:mm
sheet-col-closed = Closed
sheet-col-loss-note = Loss note
sheet-col-amount = Amount
sheet-col-next-contact = Next contact
sheet-col-event = Event #
sheet-col-at = When
sheet-col-kind = What happened
sheet-col-actor = Who (id)
sheet-col-details = Details
sheet-event-created = created
sheet-event-request-repeated = request repeated
sheet-event-assigned = assigned to a manager
sheet-event-queued = in the unsorted queue
sheet-event-taken = taken into work
sheet-event-archived = archived (non-target)
sheet-event-message-in = client's message
sheet-event-message-out = reply to the client
sheet-event-stage-changed = stage changed
sheet-event-note = note
sheet-event-next-contact-set = contact planned
sheet-event-won = won
sheet-event-lost = lost
sheet-event-rewarmed = moved to rewarming
sheet-event-reassigned = handed to another manager
sheet-event-unassigned = back to the queue
sheet-event-contact-done = contact made
sheet-event-deadline-missed = deadline missed
sheet-event-reopened = client came back: a new deal
sheet-event-questionnaire-finished = questionnaire finished later
sheet-event-contacts-merged = contacts merged
