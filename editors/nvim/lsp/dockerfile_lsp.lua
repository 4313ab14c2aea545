-- dockerfile-lsp for Neovim 0.11+: `vim.lsp.enable('dockerfile_lsp')` once this
-- directory is on 'runtimepath'. Override any field with
-- `vim.lsp.config('dockerfile_lsp', { ... })`.
return {
  cmd = { 'dockerfile-lsp' },
  filetypes = { 'dockerfile' },
  root_markers = { '.dockerfile-lsp.toml', '.dockerignore', '.git' },
  -- Sent as initializationOptions and on workspace/didChangeConfiguration.
  settings = {
    ['dockerfile-lsp'] = {
      -- rules = { MissingHealthcheck = 'off', DL3008 = 'warning' },
      -- buildArgs = { NODE_VERSION = '22' },
    },
  },
  before_init = function(params, config)
    params.initializationOptions = config.settings
  end,
}
