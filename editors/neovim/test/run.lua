-- Headless Neovim tests of the Dossier plugin against a real server.
--   DOSSIER_TEST=<case> DOSSIER_BIN=/path/to/dossier CORPUS=/tmp/copy-of-seeds \
--   DOSSIER_PLUGIN=editors/neovim \
--   timeout 60 nvim --headless -u NONE -i NONE -n -c 'luafile editors/neovim/test/run.lua'
-- Cases: attach, diagnostics, hover, definition, references, semantic_tokens, commands, related,
-- graph, health,
-- and defaults (the plain `require('dossier').setup{}`: attaches, caption diagnostic, hover,
-- definition, semantic token colours). DOSSIER_SETUP=default runs any case with that set-up.
-- Every case fails on a message the user would see from the client ("LSP[dossier][Warning] …").
-- Exit 0: all checks passed; 1: a check failed or a Lua error; 124: outer timeout.
local TIMEOUT_MS = tonumber(os.getenv('LSP_TIMEOUT_MS') or '15000')
local case_name = assert(os.getenv('DOSSIER_TEST'), 'DOSSIER_TEST not set')
local corpus = assert(os.getenv('CORPUS'), 'CORPUS not set')
local bin = assert(os.getenv('DOSSIER_BIN'), 'DOSSIER_BIN not set')
local plugin = assert(os.getenv('DOSSIER_PLUGIN'), 'DOSSIER_PLUGIN not set')

local SEED_A = '000_ed376fe458f0e54a.txt' -- Tasmagambetov article (Cyrillic captions on lines 29, 59)
local SEED_B = '002_e2d909bfb0b5a3b3.txt' -- mentions Nazarbayev (defined in SEED_A)

local failures, checks = 0, 0
local function log(...)
  io.stderr:write(table.concat(vim.tbl_map(tostring, { ... }), ' ') .. '\n')
end
local function check(cond, what)
  checks = checks + 1
  if cond then log('ok   - ' .. what) else failures = failures + 1; log('FAIL - ' .. what) end
  return cond
end
local function wait(pred, ms) return vim.wait(ms or TIMEOUT_MS, pred, 20) end

-- Messages the user would see: window/showMessage (0.7 writes it with nvim_out_write, later
-- versions through vim.notify) and anything else sent to vim.notify at WARN or above.
local shown = {}
local notify = vim.notify
vim.notify = function(msg, level, ...)
  if (level or vim.log.levels.INFO) >= vim.log.levels.WARN then table.insert(shown, tostring(msg)) end
  return notify(msg, level, ...)
end
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  local kind = result and ({ 'Error', 'Warning', 'Info', 'Log' })[result.type] or '?'
  if kind == 'Error' or kind == 'Warning' then
    local client = ctx and vim.lsp.get_client_by_id(ctx.client_id)
    table.insert(shown, ('LSP[%s][%s] %s'):format(client and client.name or '?', kind, result.message))
  end
  return show_message(err, result, ctx, config)
end
local function user_warnings()
  local out = vim.deepcopy(shown)
  for l in (vim.fn.execute('messages') .. '\n'):gmatch('(.-)\n') do
    if l:find('LSP%[.-%]%[Warning%]') or l:find('LSP%[.-%]%[Error%]') or l:find('LSP%[.-%]%[WARN') then
      table.insert(out, l)
    end
  end
  return out
end

local function open(name)
  vim.cmd('edit ' .. vim.fn.fnameescape(corpus .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

-- 1-based line containing `needle` (plain), and the 0-based byte column of it
local function find(buf, needle, nth)
  nth = nth or 1
  local seen = 0
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local s = l:find(needle, 1, true)
    if s then
      seen = seen + 1
      if seen == nth then return i, s - 1 end
    end
  end
  error('text not found: ' .. needle)
end

local function attached_client(buf)
  local dossier = require('dossier')
  local client
  wait(function()
    for _, c in ipairs(dossier.clients(buf)) do
      if c.initialized ~= false and (c.server_capabilities or c.resolved_capabilities) then
        client = c
        return true
      end
    end
    return false
  end)
  return client
end

-- end of the server's work-done progress (corpus indexing)
local indexed = false
pcall(vim.api.nvim_create_autocmd, 'LspProgress', { -- 0.10+ (0.7 has no such event)
  callback = function(ev)
    local v = ev.data and ev.data.params and ev.data.params.value
    if type(v) == 'table' and v.kind == 'end' then indexed = true end
  end,
})
local function wait_indexed(client)
  return wait(function()
    if indexed then return true end
    local msgs = client.messages and client.messages.progress -- 0.7 .. 0.9
    if type(msgs) == 'table' then
      for _, m in pairs(msgs) do
        if m.done then return true end
      end
    end
    return false
  end)
end

local function floating_text()
  local text
  wait(function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n')
        return true
      end
    end
    return false
  end)
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then vim.api.nvim_win_close(w, true) end
  end
  return text
end

local function request(buf, client, method, params)
  local res, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT_MS)
  if not check(res ~= nil, method .. ' answered (' .. tostring(err) .. ')') then return nil end
  local r = res[client.id]
  if not check(r ~= nil and r.err == nil and r.error == nil,
      method .. ' without error ' .. vim.inspect(r and (r.err or r.error))) then
    return nil
  end
  return r.result
end

local function position_params(buf, client, row, col)
  vim.api.nvim_win_set_cursor(0, { row, col })
  return vim.lsp.util.make_position_params(0, client.offset_encoding)
end

local cases = {}

function cases.attach()
  local buf = open(SEED_A)
  check(vim.bo[buf].filetype == 'text', 'filetype is text (got ' .. vim.bo[buf].filetype .. ')')
  local client = attached_client(buf)
  if not check(client ~= nil, 'plugin attached an initialized dossier client') then return end
  check(client.config.root_dir == corpus, 'root is the corpus folder (got ' .. tostring(client.config.root_dir) .. ')')
  check(vim.deep_equal(client.config.cmd, { bin, 'lsp' }), 'cmd ' .. vim.inspect(client.config.cmd))
  -- a second document of the same corpus shares the client
  local buf2 = open(SEED_B)
  local c2 = attached_client(buf2)
  check(c2 ~= nil and c2.id == client.id, 'second document attached to the same client')
end

function cases.diagnostics()
  local buf = open(SEED_A)
  check(attached_client(buf) ~= nil, 'client attached')
  local row = find(buf, 'Генсек ОДКБ Имангали Тасмагамбетов (слева)')
  check(row == 29, 'caption is on line 29 of the seed (got ' .. row .. ')')
  local d
  wait(function()
    for _, x in ipairs(vim.diagnostic.get(buf)) do
      if x.lnum == row - 1 and x.source == 'dossier' then d = x; return true end
    end
    return false
  end)
  if not check(d ~= nil, ('dossier diagnostic on line %d (all: %d)'):format(row, #vim.diagnostic.get(buf))) then
    return
  end
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  check(code == 'untranslated-caption', 'code untranslated-caption (got ' .. tostring(code) .. ')')
  check(d.severity == vim.diagnostic.severity.WARN, 'severity WARN (got ' .. tostring(d.severity) .. ')')
  check(d.message:find('Tasmagambetov', 1, true) ~= nil, 'message carries the transliteration: ' .. d.message)
end

function cases.hover()
  local buf = open(SEED_A)
  check(attached_client(buf) ~= nil, 'client attached')
  -- surname-only mention: "... in the Russian capital, Tasmagambetov said ..."
  local row, col = find(buf, 'capital, Tasmagambetov said')
  vim.api.nvim_win_set_cursor(0, { row, col + #'capital, ' + 3 })
  vim.lsp.buf.hover()
  local text = floating_text()
  if not check(text ~= nil, 'vim.lsp.buf.hover() opened a float') then return end
  local first
  for l in (text .. '\n'):gmatch('(.-)\n') do
    if vim.trim(l) ~= '' then first = l; break end
  end
  check(first and first:find('Imangali Tasmagambetov', 1, true) and first:find('person', 1, true),
    'first line has canonical name and kind: ' .. vim.inspect(first))
end

function cases.definition()
  local buf = open(SEED_B)
  local client = attached_client(buf)
  if not check(client ~= nil, 'client attached') then return end
  check(wait_indexed(client), 'corpus indexed (work-done progress ended)')
  local row, col = find(buf, 'Nazarbayev')
  vim.api.nvim_win_set_cursor(0, { row, col + 2 })
  vim.lsp.buf.definition()
  local target = vim.fn.fnamemodify(corpus .. '/' .. SEED_A, ':p')
  if not check(wait(function() return vim.api.nvim_buf_get_name(0) == target end),
      'definition opened ' .. SEED_A .. ' (now in ' .. vim.api.nvim_buf_get_name(0) .. ')') then
    return
  end
  local drow, dcol = find(0, 'Nursultan Nazarbayev')
  local pos = vim.api.nvim_win_get_cursor(0)
  check(pos[1] == drow and pos[2] >= dcol and pos[2] < dcol + #'Nursultan Nazarbayev',
    ('cursor on the defining mention %d:%d (got %d:%d)'):format(drow, dcol, pos[1], pos[2]))
end

function cases.references()
  local buf = open(SEED_A)
  local client = attached_client(buf)
  if not check(client ~= nil, 'client attached') then return end
  local row, col = find(buf, 'capital, Tasmagambetov said')
  local params = position_params(buf, client, row, col + #'capital, ' + 3)
  params.context = { includeDeclaration = true }
  local locs = request(buf, client, 'textDocument/references', params)
  if not check(type(locs) == 'table', 'references is a list') then return end
  -- 21 Latin mentions ("Imangali Tasmagambetov", "Tasmagambetov", "Tasmagambetov's")
  -- in the seeds, plus the Cyrillic ones in captions
  check(#locs >= 21, ('at least 21 references (got %d)'):format(#locs))
  local items = vim.lsp.util.locations_to_items(locs, client.offset_encoding)
  local bad = {}
  for _, it in ipairs(items) do
    local rest = it.text:sub(it.col)
    local okname = false
    for _, n in ipairs({ 'Imangali', 'Tasmagambetov', 'Имангали', 'Тасмагамбетов' }) do
      if rest:sub(1, #n) == n then okname = true end
    end
    if not okname then table.insert(bad, ('%s:%d:%d %q'):format(it.filename, it.lnum, it.col, rest:sub(1, 30))) end
  end
  check(#bad == 0, 'every reference range starts on the name ' .. vim.inspect(bad))
end

function cases.semantic_tokens()
  local buf = open(SEED_A)
  local client = attached_client(buf)
  if not check(client ~= nil, 'client attached') then return end
  local caps = client.server_capabilities or {}
  local prov = caps.semanticTokensProvider
  if not check(prov ~= nil, 'semanticTokensProvider advertised') then return end
  local legend = prov.legend.tokenTypes
  for _, t in ipairs({ 'person', 'organization', 'place', 'other' }) do
    check(vim.tbl_contains(legend, t), 'legend has ' .. t)
  end
  local res = request(buf, client, 'textDocument/semanticTokens/full', { textDocument = { uri = vim.uri_from_bufnr(buf) } })
  if not check(res and res.data and #res.data % 5 == 0 and #res.data > 0, 'token data') then return end
  local row, col = find(buf, 'capital, Tasmagambetov said')
  row, col = row - 1, col + #'capital, '
  local line_text = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
  local want = vim.lsp.util._str_utfindex_enc and vim.lsp.util._str_utfindex_enc(line_text, col, client.offset_encoding)
    or (client.offset_encoding == 'utf-8' and col or vim.str_utfindex(line_text, col))
  local l, c, found = 0, 0, nil
  local d = res.data
  for i = 1, #d, 5 do
    l = l + d[i]
    c = (d[i] == 0) and (c + d[i + 1]) or d[i + 1]
    if l == row and c == want then found = legend[d[i + 3] + 1] end
  end
  check(found == 'person', 'token "Tasmagambetov" is a person (got ' .. tostring(found) .. ')')
end

function cases.commands()
  local buf = open(SEED_A)
  local first = attached_client(buf)
  if not check(first ~= nil, 'client attached') then return end
  vim.cmd('DossierRestart')
  local second
  check(wait(function()
    local c = attached_client(buf)
    if c and c.id ~= first.id then second = c; return true end
    return false
  end), ':DossierRestart attached a new client')
  check(vim.lsp.client_is_stopped(first.id), 'the old client is stopped')
  -- no registry in the seeds: a message, no new buffer
  local before = #vim.api.nvim_list_bufs()
  vim.cmd('DossierOpenRegistry')
  check(#vim.api.nvim_list_bufs() == before, ':DossierOpenRegistry without entities.toml opens nothing')
  local f = io.open(corpus .. '/entities.toml', 'w'); f:write('# registry\n'); f:close()
  vim.cmd('DossierOpenRegistry')
  check(vim.api.nvim_buf_get_name(0) == vim.fn.fnamemodify(corpus .. '/entities.toml', ':p'),
    ':DossierOpenRegistry opened ' .. vim.api.nvim_buf_get_name(0))
end

function cases.related()
  local buf = open(SEED_A)
  local client = attached_client(buf)
  if not check(client ~= nil, 'client attached') then return end
  check(wait_indexed(client), 'corpus indexed (work-done progress ended)')
  -- not on a name: a message, the quickfix list untouched
  vim.fn.setqflist({}, ' ', { title = 'before' })
  vim.api.nvim_win_set_cursor(0, { 2, 0 })
  vim.cmd('DossierRelated')
  vim.wait(500)
  check(vim.fn.getqflist({ title = 1 }).title == 'before', 'off a name, the quickfix list is left alone')
  local row, col = find(buf, 'capital, Tasmagambetov said')
  vim.api.nvim_win_set_cursor(0, { row, col + #'capital, ' + 3 })
  vim.cmd('DossierRelated')
  local qf
  check(wait(function()
    qf = vim.fn.getqflist({ title = 1, items = 1 })
    return qf.title ~= 'before'
  end), ':DossierRelated filled the quickfix list')
  check(qf.title == 'Dossier: appears with Imangali Tasmagambetov', 'title names the entity: ' .. qf.title)
  check(#qf.items >= 5, ('at least 5 entities appear with him (got %d)'):format(#qf.items))
  local first = qf.items[1] and qf.items[1].text or ''
  check(first:find('^CSTO %(organization%): %d+ shared paragraphs') ~= nil, 'the most shared first: ' .. first)
  check(vim.bo.buftype == 'quickfix', 'the quickfix window is open')
  local last_count, sorted, bad = math.huge, true, {}
  for i, it in ipairs(qf.items) do
    local n = tonumber(it.text:match(': (%d+) shared paragraph'))
    if not n or n > last_count then sorted = false end
    last_count = n or 0
    -- each entry leads to a mention of its entity: the card there names it
    local name = it.text:match('^(.-) %(')
    vim.cmd('cc ' .. i)
    local here = vim.api.nvim_get_current_buf()
    local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
    local res = vim.lsp.buf_request_sync(here, 'textDocument/hover', params, TIMEOUT_MS) or {}
    local r = res[client.id]
    local card = r and r.result and r.result.contents and r.result.contents.value or ''
    local first = card:match('^[^\n]*') or ''
    if it.valid ~= 1 or not first:find(name, 1, true) then
      table.insert(bad, ('%s at %d:%d, card %q'):format(name, it.lnum, it.col, first))
    end
  end
  check(sorted, 'entries by shared paragraphs, most first')
  check(#bad == 0, 'every entry opens on a mention of its entity ' .. vim.inspect(bad))
end

function cases.graph()
  local buf = open(SEED_A)
  local client = attached_client(buf)
  if not check(client ~= nil, 'client attached') then return end
  local opened
  require('dossier').config.open_graph = function(path) opened = path end
  local file = vim.fn.fnamemodify(corpus .. '/../graph.html', ':p')
  vim.cmd('DossierGraph ' .. vim.fn.fnameescape(file))
  check(wait(function() return opened ~= nil end), ':DossierGraph opened a page')
  check(opened == file, 'the page written where asked: ' .. tostring(opened))
  local f = io.open(file)
  if not check(f ~= nil, 'the page exists') then return end
  local html = f:read('*a')
  f:close()
  check(html:find('<html', 1, true) ~= nil and html:find('</html>', 1, true) ~= nil, 'an HTML page')
  for _, name in ipairs({ 'Imangali Tasmagambetov', 'CSTO', 'Nursultan Nazarbayev' }) do
    check(html:find('"' .. name .. '"', 1, true) ~= nil, 'the page has the entity ' .. name)
  end
  check(html:find('"paragraphs":', 1, true) ~= nil, 'the page has weighted links')
  check(not html:find('<script src', 1, true), 'the page loads no script from elsewhere')
end

function cases.health()
  vim.cmd('checkhealth dossier')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  log(text)
  check(text:find('server binary: ' .. vim.fn.exepath(bin), 1, true) ~= nil, 'health reports the binary')
  check(text:find('version: dossier', 1, true) ~= nil, 'health reports `dossier --version`')
  check(not text:find('ERROR'), 'no ERROR in health report')
end

-- The plain default set-up: what a new user writes. The binary comes from $DOSSIER_BIN, as the
-- plugin's default command reads it.
function cases.defaults()
  local dossier = require('dossier')
  check(vim.deep_equal(dossier.config.cmd, { bin, 'lsp' }), 'default cmd from $DOSSIER_BIN ' .. vim.inspect(dossier.config.cmd))
  cases.attach()
  cases.diagnostics()
  cases.hover()
  cases.definition()
  if vim.fn.has('nvim-0.9') == 1 then
    local function link_of(group)
      if vim.api.nvim_get_hl then
        return vim.api.nvim_get_hl(0, { name = group, link = true }).link
      end
      return vim.api.nvim_get_hl_by_name(group, false)
    end
    for group, target in pairs(dossier.highlight_links) do
      if group == '@lsp.type.place' then
        -- set by the "user" before setup(): kept
        check(link_of(group) == 'DiffAdd', group .. ' keeps the user\'s link (got ' .. tostring(link_of(group)) .. ')')
      else
        check(link_of(group) == target, group .. ' links to ' .. target .. ' (got ' .. tostring(link_of(group)) .. ')')
      end
    end
    vim.cmd('colorscheme default')
    check(link_of('@lsp.type.person') == 'Identifier', 'links restored after :colorscheme')
    -- the name is highlighted through its token's group
    local buf = open(SEED_A)
    local row, col = find(buf, 'capital, Tasmagambetov said')
    local group
    check(wait(function()
      for _, t in ipairs(vim.lsp.semantic_tokens.get_at_pos(buf, row - 1, col + #'capital, ' + 2) or {}) do
        if t.type == 'person' then group = '@lsp.type.person'; return true end
      end
      return false
    end), 'semantic token "person" on "Tasmagambetov" (highlight group ' .. tostring(group) .. ')')
  end
end

local function main()
  if not cases[case_name] then error('unknown case ' .. case_name) end
  log('nvim ' .. vim.version().major .. '.' .. vim.version().minor .. '.' .. vim.version().patch .. ', case ' .. case_name)
  vim.opt.runtimepath:prepend(plugin)
  vim.cmd('runtime plugin/dossier.lua')
  vim.cmd('filetype on') -- -u NONE disables filetype detection; *.txt -> text
  if case_name == 'defaults' or os.getenv('DOSSIER_SETUP') == 'default' then
    if vim.fn.has('nvim-0.9') == 1 then
      vim.api.nvim_set_hl(0, '@lsp.type.place', { link = 'DiffAdd' }) -- a user's own choice
    end
    require('dossier').setup {}
  else
    require('dossier').setup({
      cmd = { bin, 'lsp' },
      settings = { rules = { ['untranslated-caption'] = 'warning' }, inlayHints = { transliteration = true } },
    })
  end
  cases[case_name]()
  -- a late warning (settings are read after initialize) still counts
  vim.wait(300)
  local warned = user_warnings()
  check(#warned == 0, 'no warning or error shown to the user ' .. vim.inspect(warned))
end

local ok, err = xpcall(main, debug.traceback)
if not ok then failures = failures + 1; log('LUA ERROR: ' .. tostring(err)) end
if checks == 0 then failures = failures + 1; log('FAIL - no check ran') end
log(failures == 0 and 'ALL PASSED' or (failures .. ' check(s) failed'))
pcall(function() for _, c in ipairs(require("dossier").clients()) do vim.lsp.stop_client(c.id) end end)
pcall(wait, function() return #require("dossier").clients() == 0 end, 2000)
if failures == 0 then vim.cmd('qall!') else vim.cmd('cquit 1') end
