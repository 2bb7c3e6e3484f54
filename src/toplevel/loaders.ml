let registered = ref false

let register_all () =
  if not !registered then begin
    registered := true;
    Loader.register External_loader.loader;
    Loader.set_default External_loader.loader.name
  end
