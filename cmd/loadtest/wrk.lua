-- wrk script: each request carries the session cookie of another signed-in
-- user. Cookies come from `loadtest -save-cookies FILE`; set COOKIES=FILE.
local cookies = {}
for line in io.lines(os.getenv("COOKIES")) do
  if line ~= "" then cookies[#cookies + 1] = line end
end
local i = 0
request = function()
  i = i + 1
  local headers = { ["Cookie"] = cookies[(i % #cookies) + 1], ["Accept-Encoding"] = "gzip" }
  return wrk.format("GET", "/", headers)
end
