"""The GCRA as one Redis Lua script: read, decide and reserve in one atomic step.

Redis runs a script to its end before it serves another command, so two processes
that reserve under one key at the same moment are simply ordered. The time comes
from Redis's own ``TIME``, so the processes' clocks never disagree. Scripts may
write after ``TIME`` since Redis 5 (effects replication), our floor.

Times are whole microseconds since the epoch: about 1.8e15, well inside the 2^53 a
Lua number holds exactly. The theoretical arrival time (TAT) is written with
``%.0f`` because Lua's default number-to-string keeps only 14 digits. The key's
TTL runs out exactly when its TAT passes: from then on the stored value would act
like no value at all, so nothing is lost when Redis drops it.

KEYS[1]: the limit's key. ARGV[1]: the emission interval (µs between two calls at
the rate). ARGV[2]: the burst tolerance (µs, ``interval * (burst - 1)``).
Returns the microseconds the caller must wait before using the slot it reserved.
"""

from __future__ import annotations

__all__ = ["GCRA_SCRIPT"]

GCRA_SCRIPT = """
local key = KEYS[1]
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local tat = tonumber(redis.call('GET', key)) or now
if tat < now then
  tat = now
end
local wait = tat - tolerance - now
if wait < 0 then
  wait = 0
end
local next_tat = tat + interval
local ttl_ms = math.ceil((next_tat - now) / 1000)
redis.call('SET', key, string.format('%.0f', next_tat), 'PX', ttl_ms)
return wait
"""
