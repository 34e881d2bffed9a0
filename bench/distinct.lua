-- wrk script for the figures of uncached work: every request asks a distinct address, so no
-- answer kept for visitors (web::page_cache) or memoised (a search's results) can serve it.
-- A search's radius `km=N` becomes N.0000SSNNNNNN (the same search within a micrometre);
-- any other address gets a parameter its page ignores. Each wrk thread counts in its own series.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("series", threads)
end

function init(args)
  n = 0
end

function request()
  n = n + 1
  local tag = string.format("%d%06d", series, n)
  local path, found = string.gsub(wrk.path, "km=(%d+)", "km=%1.0000" .. tag, 1)
  if found == 0 then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "_n=" .. tag
  end
  return wrk.format(nil, path)
end
