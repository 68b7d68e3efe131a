// The print buttons of the notice and the 明白卡 (no inline handlers: the CSP runs only our own files).
document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
