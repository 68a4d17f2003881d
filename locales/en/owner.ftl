## First run: the owner's ID, /myid, /preview and test deals

command-myid = My Telegram ID
command-preview = Fill in the questionnaire as a client

owner-hint =
    Your Telegram ID: <code>{ $user_id }</code>

    The bot is not set up yet: nobody is on the team, so it takes no requests.
    To become its admin, add the line <code>ADMIN_IDS={ $user_id }</code> to .env and restart the bot.

myid-yours = Your Telegram ID: <code>{ $user_id }</code>
myid-chat = This chat's ID: <code>{ $chat_id }</code>

preview-intro =
    🧪 <b>Questionnaire preview</b>
    From here on it is just as a client sees it: the same questions, buttons and confirmation. At the end you get the card of a test deal, the one a manager gets. It stays out of reports and distribution, and you can delete it.
    Leave at any time with /cancel.
preview-cancelled = Preview over; no test deal was made. To go through it again: /preview.
preview-interrupted = 🧪 Preview stopped: you are working on a deal now. To go through the questionnaire again: /preview.

card-test = 🧪 <b>Test deal</b> — only you see it; it stays out of reports and distribution
btn-test-delete = 🗑 Delete test deal
btn-test-delete-yes = 🗑 Yes, delete
btn-test-delete-no = ✖ No
test-delete-question =
    🗑 <b>Delete test deal #{ $id }?</b>
    The deal, its history, messages and reminders go, and its contact too when it has no other deal. This cannot be undone.
test-deleted = 🗑 Test deal #{ $id } deleted.
test-deleted-toast = Deleted ✓
test-delete-gone = This test deal is gone already: it was deleted.
test-delete-not-test = Only a test deal can be deleted; real deals never are.
test-delete-not-allowed = Only whoever made a test deal, or an admin, can delete it.
deal-error-test-deal = A test deal stays with whoever made it: it cannot be handed over.
