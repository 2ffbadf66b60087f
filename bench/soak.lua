-- make soak: requests cycle over the seven endpoints (GETs and the JSON POST).
local paths = {
  {"GET", "/plaintext"}, {"GET", "/json"}, {"GET", "/users/42"}, {"POST", "/json"},
  {"GET", "/db"}, {"GET", "/queries?count=5"}, {"GET", "/template"},
}
local body = '{"message":"Hello, World!","numbers":[1,2,3,4,5],"nested":{"key":"value"}}'
local counter = 0

function request()
  counter = counter + 1
  local p = paths[(counter % #paths) + 1]
  if p[1] == "POST" then
    return wrk.format("POST", p[2], {["Content-Type"] = "application/json"}, body)
  end
  return wrk.format("GET", p[2])
end
