## The next contact's calendar: a month of days, then the hours of the day picked.

btn-calendar = 🗓 Calendar
btn-cal-month = « To the calendar
btn-cal-working-day = ➡️ Next working day: { $day }

hint-cal-month = Pick a day. ·7· is a weekend or holiday, [ ] marks today.
hint-cal-time = At what time should you contact the client?
hint-cal-day-off = That's a day off. You can still pick a time — or move to a working day.

cal-day = 📅 { $day }
cal-day-weekend = 📅 { $day } — weekend
cal-day-holiday = 📅 { $day } — public holiday
cal-no-hours = Today's working hours are over
cal-day-past = That day has passed — pick another one.
cal-time-past = That time has passed — pick another one.
cal-too-far = That's too far ahead: pick a date within two years.
