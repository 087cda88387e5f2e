/** The searchable palette: drag an item onto the canvas, or click it to add it. */
import { useMemo, useState } from "react";
import { DRAG_MIME } from "./Canvas";
import { filterItems, type PaletteItem } from "./palette";

interface Props {
  items: PaletteItem[];
  onPick: (item: PaletteItem) => void;
  hint?: string;
}

export function Palette({ items, onPick, hint }: Props) {
  const [search, setSearch] = useState("");
  const shown = useMemo(() => filterItems(items, search), [items, search]);
  const groups = useMemo(() => {
    const m = new Map<string, PaletteItem[]>();
    for (const i of shown) m.set(i.group, [...(m.get(i.group) ?? []), i]);
    return [...m.entries()];
  }, [shown]);
  return (
    <aside className="palette" aria-label="Palette">
      <input
        type="search"
        placeholder="Search actions and triggers"
        aria-label="Search the palette"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      {hint && <p className="hint">{hint}</p>}
      <div className="palette-list">
        {groups.map(([group, list]) => (
          <section key={group}>
            <h4>{group}</h4>
            {list.map((item) => (
              <button
                type="button"
                key={item.id}
                className="palette-item"
                draggable
                data-testid={`palette-${item.type ?? item.kind}`}
                title={item.description}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, JSON.stringify(item));
                  e.dataTransfer.effectAllowed = "copy";
                }}
                onClick={() => onPick(item)}
              >
                <span className="wf-icon" aria-hidden>{item.icon}</span>
                {item.title}
              </button>
            ))}
          </section>
        ))}
      </div>
    </aside>
  );
}
