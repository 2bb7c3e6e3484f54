val x : int
(** Never closed
   {[ # 1;; ]}
