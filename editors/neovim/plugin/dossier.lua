-- Dossier is configured explicitly: require('dossier').setup{}.
-- This file only guards against double loading.
if vim.g.loaded_dossier then return end
vim.g.loaded_dossier = 1
