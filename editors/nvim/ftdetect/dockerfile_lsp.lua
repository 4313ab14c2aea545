-- Every name a Dockerfile goes by, as the `dockerfile` filetype.
vim.filetype.add({
  filename = {
    Dockerfile = 'dockerfile',
    Containerfile = 'dockerfile',
  },
  pattern = {
    ['Dockerfile%..+'] = 'dockerfile',
    ['Containerfile%..+'] = 'dockerfile',
    ['.+%.[Dd]ockerfile'] = 'dockerfile',
    ['.+%.containerfile'] = 'dockerfile',
  },
})
