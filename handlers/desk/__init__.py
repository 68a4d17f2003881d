"""The deal card and everything done from it: take, move, plan, note, remind, reply, merge, lists."""
