# Channels a lead comes through (README.md, "Channels and sources").
channel-telegram = Telegram
channel-site = website
# The digest's new leads split by channel: "Telegram: 9, website: 3".
digest-new-channels = by channel: { $channels }
digest-channel-count = { $channel }: { $count }
# /find: a deal's channel and source after its stage.
find-item-origin = { $channel }, { $source }
