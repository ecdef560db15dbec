-- Dossier: language server for corpora of scraped, machine-translated news.
-- Neovim client. Supports Neovim 0.7 and later:
--   0.11+      vim.lsp.config() / vim.lsp.enable()
--   0.8..0.10  vim.lsp.start() from a FileType autocommand
--   0.7        vim.lsp.start_client() + vim.lsp.buf_attach_client()
local M = {}

M.name = 'dossier'

M.defaults = {
  -- Command that starts the server on stdio.
  cmd = nil, -- default: { 'dossier', 'lsp' } (or $DOSSIER_BIN)
  filetypes = { 'text' },
  -- Files/directories marking the corpus root (first match upwards wins);
  -- without one, the folder of the file is the root.
  root_markers = { 'dossier.toml', 'entities.toml', '.git' },
  -- Server settings, same shape as dossier.toml, e.g.
  --   { rules = { boilerplate = 'off' }, inlayHints = { transliteration = true } }
  -- Sent as initializationOptions and answered for workspace/configuration
  -- section "dossier".
  settings = {},
  -- Show inlay hints (transliterations) in attached buffers (Neovim 0.10+).
  inlay_hints = true,
  on_attach = nil,
  capabilities = nil,
  -- How :DossierGraph opens the page it writes: function(path) (default: vim.ui.open on
  -- 0.10+, else xdg-open or open).
  open_graph = nil,
}

M.config = nil

local has = function(feature) return vim.fn.has(feature) == 1 end

local function default_cmd()
  local bin = vim.env.DOSSIER_BIN
  if bin == nil or bin == '' then bin = 'dossier' end
  return { bin, 'lsp' }
end

local function is_dir(path)
  return vim.fn.isdirectory(path) == 1
end

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

local function dirname(path)
  return vim.fn.fnamemodify(path, ':h')
end

--- Corpus root for a file: the nearest ancestor holding one of the markers,
--- else the file's own folder.
function M.find_root(fname, markers)
  markers = markers or (M.config or M.defaults).root_markers
  if fname == nil or fname == '' then return vim.loop.cwd() end
  fname = vim.fn.fnamemodify(fname, ':p')
  local dir = is_dir(fname) and fname or dirname(fname)
  dir = dir:gsub('/$', '')
  if dir == '' then dir = '/' end
  local cur = dir
  while true do
    for _, m in ipairs(markers) do
      if exists(cur .. '/' .. m) then return cur end
    end
    local parent = dirname(cur)
    if parent == cur then break end
    cur = parent
  end
  return dir
end

-- Keys whose values are lists in the server's settings: an empty Lua table there is `[]`.
local LIST_KEYS = { include = true, exclude = true, patterns = true, aliases = true, roles = true, links = true }

--- Settings as the server reads them. Lua has one empty table for `{}` and `[]`, and
--- Neovim sends it as the JSON array `[]`: every empty table that stands for an object
--- (the settings themselves, `rules = {}`) becomes `vim.empty_dict()`, sent as `{}`.
local function as_object(t, key)
  if type(t) ~= 'table' then return t end
  if next(t) == nil then
    if LIST_KEYS[key] then return t end
    return vim.empty_dict()
  end
  local out = {}
  for k, v in pairs(t) do out[k] = as_object(v, k) end
  return out
end

local function settings_table(s)
  s = s or {}
  -- accept both { corpus = ..., rules = ... } and { dossier = { ... } }
  if s.dossier == nil then s = { dossier = s } end
  return as_object(s)
end

-- Semantic token types of the server and the groups they show as by default (Neovim 0.9+
-- highlights a token type `T` with the group `@lsp.type.T`, which has no colour unless linked).
-- Groups that every common colour scheme colours, Neovim's default one included (where
-- `Type` and `Constant` are plain text): blue people, cyan organisations, green places.
M.highlight_links = {
  ['@lsp.type.person'] = 'Identifier',
  ['@lsp.type.organization'] = 'Function',
  ['@lsp.type.place'] = 'String',
  ['@lsp.type.other'] = 'Special',
}

--- Link the semantic token groups to ordinary groups, as defaults: a colour scheme or the
--- user (`vim.api.nvim_set_hl(0, '@lsp.type.person', { ... })`) overrides them.
function M.set_highlights()
  if vim.fn.has('nvim-0.9') ~= 1 then return end -- no semantic tokens before 0.9
  for group, target in pairs(M.highlight_links) do
    vim.api.nvim_set_hl(0, group, { link = target, default = true })
  end
end

local function enable_inlay_hints(bufnr)
  local ih = vim.lsp.inlay_hint
  if not ih then return end
  if type(ih) == 'table' and ih.enable then
    -- 0.10+: enable(bool, filter)
    pcall(ih.enable, true, { bufnr = bufnr })
  end
end

local function make_on_attach(cfg)
  return function(client, bufnr)
    if cfg.inlay_hints then
      local caps = client.server_capabilities or {}
      if caps.inlayHintProvider then enable_inlay_hints(bufnr) end
    end
    if cfg.on_attach then cfg.on_attach(client, bufnr) end
  end
end

local function client_config(cfg, root)
  local settings = settings_table(cfg.settings)
  return {
    name = M.name,
    cmd = cfg.cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    settings = settings,
    init_options = settings.dossier,
    capabilities = cfg.capabilities,
    on_attach = make_on_attach(cfg),
    flags = { debounce_text_changes = 100 },
  }
end

--- Clients of this plugin (optionally only those attached to bufnr).
function M.clients(bufnr)
  local out = {}
  if vim.lsp.get_clients then
    out = vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
  else
    local all = bufnr and vim.lsp.buf_get_clients(bufnr) or vim.lsp.get_active_clients()
    for _, c in pairs(all) do
      if c.name == M.name then table.insert(out, c) end
    end
  end
  return out
end

local started = {} -- 0.7: root -> client id

local function attach_legacy(cfg, bufnr)
  local fname = vim.api.nvim_buf_get_name(bufnr)
  if fname == '' or vim.bo[bufnr].buftype ~= '' then return end
  local root = M.find_root(fname, cfg.root_markers)
  local conf = client_config(cfg, root)
  if vim.lsp.start then -- 0.8 .. 0.10: reuses a client with the same name and root
    vim.lsp.start(conf, { bufnr = bufnr })
    return
  end
  local id = started[root]
  if not id or vim.lsp.client_is_stopped(id) then
    id = vim.lsp.start_client(conf)
    started[root] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
end

local function setup_commands()
  local cmd = vim.api.nvim_create_user_command
  cmd('DossierRestart', function() M.restart() end, { desc = 'Restart the Dossier language server' })
  cmd('DossierReindex', function() M.restart() end, { desc = 'Re-index the corpus (restarts the server)' })
  cmd('DossierOpenRegistry', function() M.open_registry() end, { desc = 'Open entities.toml at the corpus root' })
  cmd('DossierCard', function() vim.lsp.buf.hover() end, { desc = 'Show the entity card under the cursor' })
  cmd('DossierRelated', function() require('dossier.graph').related() end,
    { desc = 'The entities that appear with the one under the cursor, in the quickfix list' })
  cmd('DossierGraph', function(a) require('dossier.graph').graph(a.args) end,
    { nargs = '?', complete = 'file', desc = 'Write the entity graph of the corpus as HTML and open it' })
end

function M.setup(opts)
  local cfg = vim.tbl_deep_extend('force', {}, M.defaults, opts or {})
  if opts and opts.settings then cfg.settings = opts.settings end -- replace, don't merge lists
  if cfg.cmd == nil then cfg.cmd = default_cmd() end
  if type(cfg.cmd) == 'string' then cfg.cmd = { cfg.cmd, 'lsp' } end
  M.config = cfg
  setup_commands()
  M.set_highlights()
  -- `:colorscheme` clears highlight groups: link them again (still as defaults)
  vim.api.nvim_create_autocmd('ColorScheme', {
    group = vim.api.nvim_create_augroup('dossier_highlights', { clear = true }),
    callback = M.set_highlights,
  })

  if vim.lsp.config and vim.lsp.enable and has('nvim-0.11') then
    local conf = client_config(cfg, nil)
    conf.root_dir = function(bufnr, on_dir)
      on_dir(M.find_root(vim.api.nvim_buf_get_name(bufnr), cfg.root_markers))
    end
    conf.workspace_folders = nil
    conf.filetypes = cfg.filetypes
    vim.lsp.config(M.name, conf)
    vim.lsp.enable(M.name)
    return M
  end

  local group = vim.api.nvim_create_augroup('dossier_lsp', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = cfg.filetypes,
    callback = function(args) attach_legacy(cfg, args.buf) end,
  })
  -- buffers that were already open before setup()
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(cfg.filetypes, vim.bo[b].filetype) then
      attach_legacy(cfg, b)
    end
  end
  return M
end

function M.restart()
  local bufs = {}
  for _, c in ipairs(M.clients()) do
    for b, _ in pairs(c.attached_buffers or {}) do bufs[b] = true end
    vim.lsp.stop_client(c.id)
  end
  started = {}
  vim.defer_fn(function()
    for b, _ in pairs(bufs) do
      if vim.api.nvim_buf_is_valid(b) then
        if has('nvim-0.11') then
          vim.api.nvim_exec_autocmds('FileType', { buffer = b })
        else
          attach_legacy(M.config, b)
        end
      end
    end
  end, 500)
end

function M.open_registry()
  local root
  local c = M.clients(vim.api.nvim_get_current_buf())[1]
  if c and c.config and c.config.root_dir then root = c.config.root_dir end
  root = root or M.find_root(vim.api.nvim_buf_get_name(0))
  local path = root .. '/entities.toml'
  if exists(path) then
    vim.cmd('edit ' .. vim.fn.fnameescape(path))
  else
    vim.notify('Dossier: no registry at ' .. path .. ' (create entities.toml there to add entities)',
      vim.log.levels.INFO)
  end
end

return M
