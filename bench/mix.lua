-- wrk script for load.py: args are create_share, read_path, ids_file, name_prefix.
-- Prints one JSON line of figures at the end; counts 201 answers (creates) per thread.
local threads, next_id = {}, 0

function setup(thread)
  next_id = next_id + 1
  thread:set("number", next_id)
  table.insert(threads, thread)
end

function init(args)
  create_share, read_path, prefix = tonumber(args[1]), args[2], args[4]
  ids = {}
  for line in io.lines(args[3]) do table.insert(ids, line) end
  math.randomseed(number)
  sent, created, non_2xx = 0, 0, 0
end

function request()
  sent = sent + 1
  if math.random() < create_share then
    local body = string.format('{"name":"%s-%d-%d"}', prefix, number, sent)
    return wrk.format("POST", "/tags", {["Content-Type"] = "application/json"}, body)
  end
  local path = read_path
  if #ids > 0 then path = string.gsub(read_path, "{id}", ids[math.random(#ids)]) end
  return wrk.format("GET", path)
end

function response(status)
  if status == 201 then created = created + 1 end
  if status < 200 or status > 299 then non_2xx = non_2xx + 1 end
end

function done(summary, latency)
  local created_all, non_2xx_all = 0, 0
  for _, thread in ipairs(threads) do
    created_all = created_all + thread:get("created")
    non_2xx_all = non_2xx_all + thread:get("non_2xx")
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%f,"non_2xx":%d,"errors":%d,"created":%d,' ..
    '"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration / 1e6, non_2xx_all,
    e.connect + e.read + e.write + e.timeout, created_all,
    latency:percentile(50), latency:percentile(99), latency.max))
end
