# Channels a lead comes through (README.md, "Channels and sources").
channel-telegram = Telegram
channel-site = сайт
# The digest's new leads split by channel: "Telegram — 9, сайт — 3".
digest-new-channels = по каналам: { $channels }
digest-channel-count = { $channel } — { $count }
# /find: a deal's channel and source after its stage.
find-item-origin = { $channel }, { $source }
