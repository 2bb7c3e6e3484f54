# Sourced by the tests that drive a REPL in a pseudo-terminal through a private
# tmux server. Set tmux_socket (a name for tmux -L) and tmux_conf (a file, or
# /dev/null) first. Every wait polls the pane with a bound; nothing sleeps for
# a fixed time and hopes.
tm() { tmux -L "$tmux_socket" -f "$tmux_conf" "$@"; }
# pane_text TARGET: the pane's whole history and screen, wrapped lines joined.
pane_text() { tm capture-pane -p -J -S - -t "$1"; }
# pane_wait TARGET TEXT [SECONDS]: until TEXT is in the pane (default 20 s).
pane_wait() {
  tries=$(( ${3:-20} * 10 ))
  while [ $tries -gt 0 ]; do
    pane_text "$1" | grep -qF -- "$2" && return 0
    tries=$((tries - 1)); sleep 0.1
  done
  return 1
}
# pane_at_prompt TARGET: until the last non-empty line is an empty "#" prompt:
# the editor draws it after putting the terminal in raw mode, so keys sent from
# then on reach the editor, not the line discipline (20 s at most).
pane_at_prompt() {
  tries=200
  while [ $tries -gt 0 ]; do
    [ "$(tm capture-pane -p -J -t "$1" | sed 's/ *$//' | sed '/^$/d' | tail -1)" = "#" ] && return 0
    tries=$((tries - 1)); sleep 0.1
  done
  return 1
}
