-- The corpus at a glance in Neovim, from the server's `dossier/graph` request:
--   :DossierRelated  the entities that appear with the one under the cursor, in the quickfix list
--   :DossierGraph    the graph of the whole corpus as an HTML page, opened in the browser
local M = {}

M.METHOD = 'dossier/graph'

local function notify(msg, level)
  vim.notify('Dossier: ' .. msg, level or vim.log.levels.INFO)
end

--- The first Dossier client attached to the buffer.
local function client_of(bufnr)
  return require('dossier').clients(bufnr)[1]
end

--- Send `dossier/graph` to one client (0.11 deprecates `client.request` for `client:request`).
local function send(client, params, bufnr, on_result)
  local function handler(err, result)
    if err then
      notify(M.METHOD .. ' failed: ' .. tostring(err.message or err), vim.log.levels.ERROR)
    elseif type(result) ~= 'table' then
      notify(M.METHOD .. ' gave no graph', vim.log.levels.ERROR)
    else
      on_result(result, client)
    end
  end
  if vim.fn.has('nvim-0.11') == 1 then
    client:request(M.METHOD, params, handler, bufnr)
  else
    client.request(M.METHOD, params, handler, bufnr)
  end
end

local function plural(n, word)
  return ('%d %s%s'):format(n, word, n == 1 and '' or 's')
end

--- Quickfix items: every entity that appears with the focus, the most shared paragraphs first,
--- at its first mention in a paragraph shared with it (else where it is defined).
function M.related_items(graph, offset_encoding)
  local by_id, focus = {}, nil
  for _, n in ipairs(graph.nodes or {}) do
    by_id[n.id] = n
    if n.id == graph.focus then focus = n end
  end
  local rows = {}
  for _, e in ipairs(graph.edges or {}) do
    local other = (e.source == graph.focus and e.target) or (e.target == graph.focus and e.source) or nil
    if other and by_id[other] then table.insert(rows, { node = by_id[other], edge = e }) end
  end
  table.sort(rows, function(a, b)
    if a.edge.paragraphs ~= b.edge.paragraphs then return a.edge.paragraphs > b.edge.paragraphs end
    if a.edge.documents ~= b.edge.documents then return a.edge.documents > b.edge.documents end
    return a.node.name < b.node.name
  end)
  local items = {}
  for _, r in ipairs(rows) do
    local n, e = r.node, r.edge
    local at = n.together ~= vim.NIL and n.together or n.location
    local item = {}
    if type(at) == 'table' then
      item = vim.lsp.util.locations_to_items({ at }, offset_encoding)[1] or {}
    end
    item.text = ('%s (%s): %s in %s; %s'):format(n.name, n.kind, plural(e.paragraphs, 'shared paragraph'),
      plural(e.documents, 'document'), plural(n.mentions, 'mention'))
    table.insert(items, item)
  end
  return items, focus
end

--- :DossierRelated: the entities that appear with the one under the cursor, in the quickfix list.
function M.related()
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_of(bufnr)
  if not client then
    notify('no Dossier server is attached to this buffer', vim.log.levels.WARN)
    return
  end
  local params = {
    focus = vim.lsp.util.make_position_params(0, client.offset_encoding),
    maxNodes = 500,
  }
  send(client, params, bufnr, function(graph)
    if graph.focus == nil or graph.focus == vim.NIL then
      notify('no entity under the cursor')
      return
    end
    local items, focus = M.related_items(graph, client.offset_encoding)
    local name = focus and focus.name or '?'
    if #items == 0 then
      notify(name .. ' shares no paragraph with another entity')
      return
    end
    vim.fn.setqflist({}, ' ', { title = 'Dossier: appears with ' .. name, items = items })
    vim.cmd('copen')
  end)
end

--- Open a file with the system's viewer (0.10+: vim.ui.open).
function M.open_file(path)
  if vim.ui and vim.ui.open then
    local _, err = vim.ui.open(path)
    if err then notify(err, vim.log.levels.ERROR) end
    return
  end
  local opener = vim.fn.has('mac') == 1 and 'open' or 'xdg-open'
  if vim.fn.executable(opener) ~= 1 then
    notify('cannot open ' .. path .. ' (no ' .. opener .. ')', vim.log.levels.ERROR)
    return
  end
  vim.fn.jobstart({ opener, path }, { detach = true })
end

--- :DossierGraph [FILE]: the graph of the corpus as a self-contained HTML page, written to FILE
--- (default: graph.html in Neovim's cache folder) and opened with `open_graph` of the set-up.
function M.graph(file)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_of(bufnr) or require('dossier').clients()[1]
  if not client then
    notify('no Dossier server is running', vim.log.levels.WARN)
    return
  end
  local path = (file and file ~= '') and vim.fn.fnamemodify(file, ':p')
    or (vim.fn.stdpath('cache') .. '/dossier/graph.html')
  send(client, { format = 'html' }, bufnr, function(graph)
    if type(graph.html) ~= 'string' then
      notify(M.METHOD .. ' gave no page', vim.log.levels.ERROR)
      return
    end
    vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
    local f, err = io.open(path, 'w')
    if not f then
      notify('cannot write ' .. path .. ': ' .. tostring(err), vim.log.levels.ERROR)
      return
    end
    f:write(graph.html)
    f:close()
    local n = #(graph.nodes or {})
    notify(('graph of %d %s written to %s'):format(n, n == 1 and 'entity' or 'entities', path))
    local open = (require('dossier').config or {}).open_graph or M.open_file
    open(path)
  end)
end

return M
