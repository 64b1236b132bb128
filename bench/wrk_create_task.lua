-- wrk script: POST one pre-signed CreateTask request, over and over, on every connection.
--
-- The request is read from the file named by VMSSPEC_WRK_REQUEST, which bench_serve.py
-- writes just before each run (the signature's X-Date must be fresh): the first line is
-- the target (path and query), then one "Name: value" line per header, a blank line,
-- and the body. wrk adds Content-Length itself. No response() callback: parsing every
-- answer in Lua would cost wrk's own CPU; wrk counts non-2xx answers by itself.
local file = assert(os.getenv("VMSSPEC_WRK_REQUEST"), "VMSSPEC_WRK_REQUEST is not set")
local handle = assert(io.open(file, "rb"))
local text = handle:read("*a")
handle:close()

local head, body = text:match("^(.-)\n\n(.*)$")
assert(head, "no blank line between the headers and the body in " .. file)
local target = nil
local headers = {}
for line in head:gmatch("[^\n]+") do
  if target == nil then
    target = line
  else
    local name, value = line:match("^([^:]+): (.*)$")
    assert(name, "not a header line: " .. line)
    headers[name] = value
  end
end

wrk.method = "POST"
wrk.path = target
wrk.body = body
for name, value in pairs(headers) do
  wrk.headers[name] = value
end
