;;; dossier-eglot.el --- example configuration: Dossier with Eglot  -*- lexical-binding: t; -*-
;; Put this in your init file (Emacs 29+ has Eglot built in; on Emacs 28
;; install it from GNU ELPA or Debian's elpa-eglot).

(with-eval-after-load 'eglot
  ;; `dossier' must be on PATH (or write its full path here).
  (add-to-list 'eglot-server-programs '(text-mode . ("dossier" "lsp")))
  ;; Settings, same shape as dossier.toml; sent as initializationOptions and
  ;; as the "dossier" section of workspace/configuration.
  (setq-default eglot-workspace-configuration
                '(:dossier (:rules (:boilerplate "hint" :page-metadata "off")
                            :inlayHints (:transliteration t)))))

;; Start Dossier in every text buffer of a corpus (or use M-x eglot by hand).
(add-hook 'text-mode-hook
          (lambda ()
            (when (and buffer-file-name (string-match-p "\\.txt\\'" buffer-file-name))
              (eglot-ensure))))

;; Useful keys in a Dossier buffer: M-. (definition), M-? (references),
;; C-h . (entity card via eldoc), M-x flymake-show-buffer-diagnostics.
