let failures = ref 0

let expect name ok =
  if not ok then begin
    incr failures;
    Printf.printf "FAIL %s\n" name
  end

let complete text expected =
  expect (Printf.sprintf "is_complete %S = %b" text expected) (Phrase_boundary.is_complete text = expected)

let split text phrases rest =
  let got_phrases, got_rest = Phrase_boundary.split text in
  expect
    (Printf.sprintf "split %S = [%s], %S (got [%s], %S)" text (String.concat "; " phrases) rest
       (String.concat "; " got_phrases) got_rest)
    (got_phrases = phrases && got_rest = rest)

let () =
  complete "1 + 1;;" true;
  complete "1 + 1;;  \n" true;
  complete "1 + 1" false;
  complete "" false;
  complete "let x = 1;; let y" false;
  complete "let s = \"a;;" false;
  complete "let s = \"a;;\";;" true;
  complete "let s = \"a\\\";;\";;" true;
  complete "(* ;; *)" false;
  complete "(* (* ;; *) ;; *) 1;;" true;
  complete "(* \"*)\" ;; *) 1;;" true;
  complete "(* ;;" false;
  complete "let c = '\"';;" true;
  complete "let c = '\\'';;" true;
  complete "let c = '\\n';;" true;
  complete "let f (x : 'a) = x;;" true;
  complete "let x' = 1 and y'' = \"\";;" true;
  complete "let q = {|;; \" |};;" true;
  complete "let q = {id|;; |} |id};;" true;
  complete "let q = {id|;; |};;" false;
  complete "let r = { contents = 1 };;" true;
  complete "let q = {%ext|;;|};;" true;
  complete "#use \"a;;b.ml\";;" true;
  complete "1;; (* trailing comment *)" false;
  split "1;; 2;;" [ "1;;"; " 2;;" ] "";
  split "let s = \";;\";;\n" [ "let s = \";;\";;" ] "\n";
  split "1;; (* ;;" [] "1;; (* ;;";
  split "no end" [] "no end";
  if !failures > 0 then exit 1 else print_endline "phrase_boundary: all cases passed"
