(* Pricing rules, written by the shop's staff and loaded by pricing_host at
   run time. The host provides the catalogue; the rules decide the price. *)
external catalog_price : string -> float = "pricing_catalog_price"

let volume_discount quantity =
  if quantity >= 100 then 0.15 else if quantity >= 10 then 0.05 else 0.0

let is_fruit sku = List.mem sku [ "apple"; "pear"; "plum" ]

let price sku quantity =
  let unit_price = catalog_price sku in
  let gross = unit_price *. float quantity in
  let net = gross *. (1.0 -. volume_discount quantity) in
  (* fruit is sold by the box of 6 and rounded to the cent *)
  let net = if is_fruit sku && quantity mod 6 <> 0 then net +. 0.5 else net in
  Float.round (net *. 100.) /. 100.

let label sku quantity = Printf.sprintf "%d x %s" quantity sku
