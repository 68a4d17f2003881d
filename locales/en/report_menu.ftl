# /report and /export: the menu of reports, the period and filters (README.md, "Reports").
command-report = Reports: funnel, losses, managers, channels
command-export = Export the reports to Excel and CSV

report-not-staff = Reports are for the sales team.
report-button-outdated = This button is out of date. Open the reports again: /report
report-menu-title = 📊 <b>Reports</b>
report-menu-hint = Choose a report. The buttons below change the period and filters.
report-export-hint = Choose the period and filters, then press “📥 Export to Excel”.
report-own-only = Your own deals only.
report-period-line = Period: { $period }
report-filters-line = Filters: { $filters }
report-period-named = { $name } ({ $days })

report-name-funnel = Funnel
report-name-losses = Loss reasons
report-name-managers = Managers
report-name-channels = Channels and sources

report-period-today = Today
report-period-7d = 7 days
report-period-30d = 30 days
report-period-month = This month
report-period-last-month = Last month

report-all-pipelines = All pipelines
report-all-managers = All managers
report-all-channels = All channels
report-all-sources = All sources

report-pick-period = Which period?
report-pick-pipeline = Which pipeline?
report-pick-manager = Whose deals?
report-pick-channel = Which channel?
report-pick-source = Which source?

report-btn-type = ✍️ Type dates
report-btn-back = ◀ Back
report-btn-cancel-typing = ✖️ Cancel
report-btn-export = 📥 Export to Excel

report-type-range =
    Type the period in one message, for example:
    01.10–15.10
    1 to 15 October
    1.10.2026 - 31.10.2026
report-range-bad =
    I could not read that period. Type the first and last day with a dash or “to” between them, for example “01.10–15.10” or “1 to 15 October”. Days up to today, three years at most.
    Changed your mind? Press “✖️ Cancel” above.

report-export-wait = Preparing the files…
report-export-preparing = ⏳ Preparing the export: for a long period this may take up to a minute.
report-export-title = 📥 <b>Reports export</b>
report-export-csv = The XLSX has a sheet for each report, the deals and the event log; the same tables come as CSV files.
report-export-split = The spreadsheet is over the 50 MB Telegram takes at once, so it is split into { $parts } { $parts ->
    [one] part
   *[other] parts
}.
