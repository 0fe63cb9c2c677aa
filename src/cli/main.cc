#include <cstdio>
int main() { std::puts("switchboard " SWITCHBOARD_VERSION); }
