type t = Session.t
type failure = Failed | Raised
type error = { failure : failure; output : string }

type 'a ty = 'a Session.witness =
  | Int : int ty
  | Float : float ty
  | String : string ty
  | Bool : bool ty
  | Unit : unit ty

let create () =
  match Session.init () with
  | Ok () -> Session.create ()
  | Error msg -> failwith msg

let free s = match Session.free s with Ok () -> () | Error msg -> failwith msg

let error s failure = Error { failure; output = Session.output s }

let eval s text =
  match Session.eval s text with
  | Session.Succeeded -> Ok (Session.output s)
  | Session.Failed -> error s Failed
  | Session.Raised -> error s Raised

let eval_as s ty text =
  match Session.eval_as s ty text with
  | Ok v -> Ok v
  | Error (Session.Failed | Session.Succeeded) -> error s Failed
  | Error Session.Raised -> error s Raised
