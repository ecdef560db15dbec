-- :checkhealth dossier
local M = {}

-- Neovim 0.10+: vim.health.start/ok/...; 0.8-0.9: vim.health.report_*;
-- 0.7: the Vimscript functions health#report_*.
local function reporter(name)
  local h = vim.health
  if h and h.start then return h[name] end
  if h and h['report_' .. name] then return h['report_' .. name] end
  return function(...) return vim.fn['health#report_' .. name](...) end
end
local start, ok, warn, err, info =
  reporter('start'), reporter('ok'), reporter('warn'), reporter('error'), reporter('info')

function M.check()
  start('dossier')
  info('Neovim ' .. tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch)
  local dossier = require('dossier')
  local cfg = dossier.config
  if not cfg then
    warn("require('dossier').setup{} has not been called", { 'Add it to your init.lua' })
    cfg = vim.tbl_deep_extend('force', {}, dossier.defaults, { cmd = { vim.env.DOSSIER_BIN or 'dossier', 'lsp' } })
  end
  local bin = cfg.cmd[1]
  local path = vim.fn.exepath(bin)
  if path == '' then
    err('server binary not found: ' .. bin, {
      'Install it: cargo install --path . (in the Dossier repository)',
      "or point the plugin at it: require('dossier').setup{ cmd = { '/path/to/dossier', 'lsp' } }",
    })
    return
  end
  ok('server binary: ' .. path)
  local out = vim.fn.system({ path, '--version' })
  local version = vim.trim(out or '')
  if vim.v.shell_error == 0 and version ~= '' then
    ok('version: ' .. version)
  else
    warn('`' .. path .. ' --version` printed nothing (exit ' .. vim.v.shell_error .. ')')
  end
  info('command: ' .. table.concat(cfg.cmd, ' '))
  local clients = dossier.clients()
  if #clients == 0 then
    info('no running client (open a .txt file of a corpus)')
  end
  for _, c in ipairs(clients) do
    ok(('client %d running, root %s'):format(c.id, tostring(c.config.root_dir)))
  end
end

return M
