// A C++ program that uses OCaml as its extension language: the pricing
// rules are an OCaml file given on the command line, compiled natively when
// the program starts; the program calls them for every order. The
// catalogue stays in C++ and is offered to the rules as a primitive.
//
//   pricing_host RULES.ml          prices the orders below with RULES.ml
//
// Build: g++ pricing_host.cpp $(pkg-config --cflags --libs ocamljit)
#include <caml/alloc.h>
#include <caml/mlvalues.h>

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ocamljit/ocamljit.hpp"

namespace {

const std::map<std::string, double> catalogue = {
    {"apple", 0.40}, {"pear", 0.55}, {"plum", 0.30}, {"flour", 1.20}, {"salt", 0.65}};

// external catalog_price : string -> float = "pricing_catalog_price"
extern "C" value pricing_catalog_price(value sku) {
  auto it = catalogue.find(String_val(sku));
  return caml_copy_double(it == catalogue.end() ? 0.0 : it->second);
}

struct Order {
  std::string sku;
  int quantity;
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: pricing_host RULES.ml\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "pricing_host: cannot read " << argv[1] << "\n";
    return 2;
  }
  std::stringstream rules;
  rules << in.rdbuf();

  if (!ocamljit::init(argv[0]) ||
      !ocamljit::define_primitive("pricing_catalog_price", reinterpret_cast<void*>(&pricing_catalog_price))) {
    std::cerr << "pricing_host: cannot start OCaml\n";
    return 1;
  }
  ocamljit::Session session;
  if (session.eval(rules.str()) != OCAMLJIT_OK) {
    std::cerr << argv[1] << ": the rules do not load:\n" << session.output();
    return 1;
  }
  const std::vector<Order> orders = {{"apple", 12}, {"pear", 7}, {"flour", 120}, {"salt", 1}};
  double total = 0;
  for (const Order& o : orders) {
    const std::string args = " " + quoted(o.sku) + " " + std::to_string(o.quantity);
    auto label = session.eval_string("label" + args);
    auto price = session.eval_float("price" + args);
    if (!label || !price) {
      std::cerr << "pricing_host: rule failed for " << o.sku << ":\n" << session.output();
      return 1;
    }
    total += *price;
    std::cout << *label << ": " << *price << "\n";
  }
  std::cout << "total: " << total << "\n";
}
